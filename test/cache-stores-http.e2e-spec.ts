import { once } from 'node:events';
import { CacheSessionStore, SessionStore } from 'nest-sessions';
import type KeyvRedis from '@keyv/redis';
import type { RedisConnectionClientType } from '@keyv/redis';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { RecordingLogger } from './support/recording-logger.js';
import { RedisTestServer } from './support/redis-server.js';
import {
  createTestApp,
  HTTP_ADAPTERS,
  sessionKeyFrom,
} from './support/test-app.js';
import { TestDatabase } from './support/test-database.js';

/**
 * Apps on the 'cache' and 'cached_db' stores, with Redis going away under
 * them: 'cached_db' answers every request and keeps every write; 'cache'
 * fails the requests that need it, and serves again once Redis is back.
 */
describe.each(HTTP_ADAPTERS)('Stores on Redis, on %s', (adapter) => {
  let database: TestDatabase;
  let redis: RedisTestServer;
  const apps: INestApplication[] = [];
  const logger = new RecordingLogger();

  beforeAll(async () => {
    [database, redis] = await Promise.all([
      TestDatabase.create(),
      RedisTestServer.start({ persistent: true }),
    ]);
  });

  afterEach(async () => {
    if (!redis.isRunning) {
      await redis.start();
    }
    await Promise.all(apps.map((app) => app.close()));
    apps.length = 0;
    logger.lines.length = 0;
  });

  afterAll(async () => {
    await Promise.all([database.drop(), redis.close()]);
  });

  async function app(store: 'cache' | 'cached_db'): Promise<INestApplication> {
    const created = await createTestApp(database, {
      adapter,
      logger,
      sessions: { store, cache: { url: redis.url } },
    });
    apps.push(created);
    return created;
  }

  describe("'cached_db'", () => {
    it('answers every request and keeps every write while Redis is stopped', async () => {
      const server = (await app('cached_db')).getHttpServer();
      const first = await request(server).get('/set?before=1').expect(200);
      const key = sessionKeyFrom(first.headers)!;
      const cookie = `sessionid=${key}`;
      await request(server)
        .get('/read')
        .set('Cookie', cookie)
        .expect(200, { before: '1' });

      await redis.stop();
      await request(server)
        .get('/set?during=1')
        .set('Cookie', cookie)
        .expect(200, { before: '1', during: '1' });
      // Requests of one visitor at once, each setting a key of its own.
      await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          request(server)
            .get(`/set?k${index}=${index}`)
            .set('Cookie', cookie)
            .expect(200),
        ),
      );
      const fresh = await request(server).get('/set?new=1').expect(200);
      await redis.start();

      const expected = {
        before: '1',
        during: '1',
        ...Object.fromEntries(
          Array.from({ length: 10 }, (_, index) => [`k${index}`, `${index}`]),
        ),
      };
      await request(server)
        .get('/read')
        .set('Cookie', cookie)
        .expect(200, expected);
      expect(await database.sessionData(key)).toEqual(expected);
      expect(
        await database.sessionData(sessionKeyFrom(fresh.headers)!),
      ).toEqual({ new: '1' });
      expect(logger.text()).toContain(
        "The session cache failed (The client is offline): 'cached_db' goes on with the database alone",
      );
      expect(logger.text()).not.toContain(key);
    });
  });

  describe("'cache'", () => {
    it('serves the requests that arrive together while it first connects to Redis', async () => {
      const server = (await app('cache')).getHttpServer();
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          request(server).get(`/set?n=${index}`),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(
        Array.from({ length: 8 }, () => 200),
      );
    });

    it('keeps sessions in Redis only, and fails the requests that need them while it is stopped', async () => {
      const nest = await app('cache');
      const server = nest.getHttpServer();
      const rowsBefore = await database.sessionCount();
      const first = await request(server).get('/set?name=alice').expect(200);
      const key = sessionKeyFrom(first.headers)!;
      const cookie = `sessionid=${key}`;
      expect(await database.sessionCount()).toBe(rowsBefore);

      await redis.stop();
      await request(server).get('/read').set('Cookie', cookie).expect(503);
      // A handler that never touches the session does not need Redis.
      await request(server)
        .get('/none')
        .set('Cookie', cookie)
        .expect(200, { ok: true });

      await redis.start();
      // The client reconnects in the background, 500 ms apart at most.
      await cacheReconnected(nest);
      const read = await request(server).get('/read').set('Cookie', cookie);
      expect(read.status).toBe(200);
      expect(read.body).toEqual({ name: 'alice' });
      expect(logger.text()).not.toContain(key);
    });
  });
});

/**
 * Resolves once the Redis client of `app`'s 'cache' store is connected
 * again (its `ready` event), or at once if it is.
 */
async function cacheReconnected(app: INestApplication): Promise<void> {
  const store = app.get(SessionStore);
  if (!(store instanceof CacheSessionStore)) {
    throw new Error(
      `expected the 'cache' store, got ${store.constructor.name}`,
    );
  }
  // One server, so a client, not a cluster's.
  const client = (store.cache.store as KeyvRedis<unknown>)
    .client as RedisConnectionClientType;
  if (!client.isReady) {
    await once(client, 'ready');
  }
}
