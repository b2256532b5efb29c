import {
  CachedDbSessionStore,
  type SessionData,
  SessionEntity,
  type SessionKeyv,
  TypeOrmSessionStore,
} from 'nest-sessions';
import { sessionWrite } from 'nest-sessions/testing';
import KeyvRedis, { createClient } from '@keyv/redis';
import { Logger } from '@nestjs/common';
import { Keyv } from 'keyv';
import { DataSource } from 'typeorm';
import { RecordingLogger } from './support/recording-logger.js';
import { RedisTestServer } from './support/redis-server.js';
import { TestDatabase } from './support/test-database.js';

const NAMESPACE = 'sessions';

/**
 * The 'cached_db' store beyond the contract: reads served by Redis, no
 * entry older than its row (several app instances included), and Redis
 * going away, hanging and coming back without an error or a lost write.
 */
describe("The 'cached_db' store on PostgreSQL and Redis", () => {
  let database: TestDatabase;
  let redis: RedisTestServer;
  let raw: ReturnType<typeof createClient>;
  const sources: DataSource[] = [];
  const stores: CachedDbSessionStore[] = [];
  const appsCaches: SessionKeyv[] = [];
  const logger = new RecordingLogger();

  beforeAll(async () => {
    [database, redis] = await Promise.all([
      TestDatabase.create(),
      // An append-only file, so entries outlive a restart, as they do on a
      // production Redis with persistence.
      RedisTestServer.start({ persistent: true }),
    ]);
    raw = createClient({ url: redis.url });
    // Commands fail while the server is stopped; the client reconnects.
    raw.on('error', () => {});
    await raw.connect();
    Logger.overrideLogger(logger);
  });

  afterEach(async () => {
    redis.resume();
    if (!redis.isRunning) {
      await redis.start();
    }
    await Promise.all(stores.map((store) => store.onApplicationShutdown()));
    await Promise.all(appsCaches.map((cache) => cache.disconnect()));
    appsCaches.length = 0;
    await Promise.all(sources.map((source) => source.destroy()));
    stores.length = 0;
    sources.length = 0;
    logger.lines.length = 0;
  });

  afterAll(async () => {
    Logger.overrideLogger(new Logger());
    raw.destroy();
    await Promise.all([database.drop(), redis.close()]);
  });

  /**
   * A store as one app instance has it: a connection pool and a Redis
   * connection of its own. `clock` is the clock of its cache retries. Unless
   * `appsCache`, the store owns the cache, as it owns the one the module
   * makes from `cache.url`: it clears it when Redis is back, and closes it.
   */
  async function instance(
    options: {
      timeoutMs?: number;
      clock?: { now: number };
      entryTtlMs?: number;
      /** The cache is the app's (not cleared on recovery); the test closes it. */
      appsCache?: boolean;
    } = {},
  ): Promise<{ store: CachedDbSessionStore; cache: SessionKeyv }> {
    const source = await new DataSource({
      type: 'postgres',
      url: database.url,
      entities: [SessionEntity],
    }).initialize();
    sources.push(source);
    const cache = redisCache(redis.url);
    const clock = options.clock;
    const store = new CachedDbSessionStore(
      new TypeOrmSessionStore(source),
      cache,
      {
        ownsCache: !options.appsCache,
        timeoutMs: options.timeoutMs ?? 300,
        retryIntervalMs: 1000,
        entryTtlMs: options.entryTtlMs,
        ...(clock && { now: () => clock.now }),
      },
    );
    stores.push(store);
    if (options.appsCache) {
      appsCaches.push(cache);
    }
    return { store, cache };
  }

  /** What Redis holds for the session `key`, as Keyv wrote it. */
  async function entry(key: string): Promise<SessionData | null> {
    const text = await raw.get(`${NAMESPACE}::${key}`);
    if (text === null) {
      return null;
    }
    const { value } = JSON.parse(text) as { value: string };
    return JSON.parse(value) as SessionData;
  }

  /**
   * Has the next `cache.set()` wait for `release()` before it is sent;
   * `reached` resolves when it is called.
   */
  function holdWrites(cache: SessionKeyv): {
    reached: Promise<void>;
    release: () => void;
    /** Resolves once the held write, released, has been applied. */
    applied: Promise<void>;
  } {
    let reach!: () => void;
    let release!: () => void;
    let apply!: () => void;
    const reached = new Promise<void>((resolve) => (reach = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const applied = new Promise<void>((resolve) => (apply = resolve));
    const set = cache.set.bind(cache);
    cache.set = async (...args: Parameters<SessionKeyv['set']>) => {
      cache.set = set; // the next writes go through
      reach();
      await released;
      try {
        return await set(...args);
      } finally {
        apply();
      }
    };
    return { reached, release, applied };
  }

  function warnings(): string[] {
    return logger.lines
      .filter((line) => line.level === 'warn')
      .map((line) => line.message);
  }

  describe('with Redis up', () => {
    it('serves a read from Redis once the session was read from its row', async () => {
      const { store } = await instance();
      const key = await store.create(sessionWrite({ name: 'alice' }));
      expect(await entry(key)).toBeNull();

      expect(await store.load(key)).toEqual({ name: 'alice' });
      expect(await entry(key)).toEqual({ name: 'alice' });
      // Changed behind the store's back: the cache still answers.
      await database.query(
        `UPDATE session SET session_data = '{"name": "mallory"}' WHERE session_key = $1`,
        [key],
      );
      expect(await store.load(key)).toEqual({ name: 'alice' });
    });

    it("drops the entry on a write, so the next read sees the row and another writer's keys", async () => {
      const a = await instance();
      const b = await instance();
      const key = await a.store.create(sessionWrite({ name: 'alice' }));
      await a.store.load(key);
      await b.store.load(key);

      await a.store.save(key, sessionWrite({ color: 'blue' }));
      expect(await entry(key)).toBeNull();
      await b.store.save(key, sessionWrite({ size: 'L' }));

      const merged = { name: 'alice', color: 'blue', size: 'L' };
      expect(await a.store.load(key)).toEqual(merged);
      expect(await b.store.load(key)).toEqual(merged);
      expect(await entry(key)).toEqual(merged);
    });

    it('caches an entry no longer than its row lives, by the database clock', async () => {
      const { store } = await instance();
      const key = await store.create(
        sessionWrite({ short: true }, { expiry: 30 }),
      );
      await store.load(key);
      // The row's time left first, Redis's after: a later reading of an
      // entry that expires no later is no greater.
      const [{ remaining }] = await database.query<{ remaining: number }>(
        `SELECT EXTRACT(EPOCH FROM expire_date - now()) * 1000 AS remaining
         FROM session WHERE session_key = $1`,
        [key],
      );
      const ttl = await raw.pTTL(`${NAMESPACE}::${key}`);
      expect(ttl).toBeGreaterThan(25_000);
      expect(ttl).toBeLessThanOrEqual(Number(remaining));
    });

    it('caches an entry no longer than entryTtlMs, whatever time its row has left', async () => {
      const { store } = await instance({ entryTtlMs: 10_000 });
      const key = await store.create(sessionWrite({ long: true }));
      await store.load(key);
      const ttl = await raw.pTTL(`${NAMESPACE}::${key}`);
      expect(ttl).toBeGreaterThan(5_000);
      expect(ttl).toBeLessThanOrEqual(10_000);
    });

    it('leaves no older entry when another instance writes the session between a read of its row and the refill', async () => {
      const a = await instance();
      const b = await instance();
      const key = await a.store.create(sessionWrite({ visits: 1 }));
      const held = holdWrites(a.cache);

      const reading = a.store.load(key);
      await held.reached; // a has read the row and is about to cache it
      await b.store.save(key, sessionWrite({ visits: 2 }));
      held.release();

      expect(await reading).toEqual({ visits: 1 });
      expect(await entry(key)).not.toEqual({ visits: 1 });
      expect(await a.store.load(key)).toEqual({ visits: 2 });
      expect(await b.store.load(key)).toEqual({ visits: 2 });
    });

    it('does not bring back, in the cache, a session another instance deleted meanwhile', async () => {
      const a = await instance();
      const b = await instance();
      const key = await a.store.create(sessionWrite({ user: 'alice' }));
      const held = holdWrites(a.cache);

      const reading = a.store.load(key);
      await held.reached;
      expect(await b.store.delete(key)).toBe(true); // a logout
      held.release();

      await reading;
      expect(await entry(key)).toBeNull();
      expect(await a.store.load(key)).toBeNull();
      expect(await b.store.exists(key)).toBe(false);
    });
  });

  describe('when Redis fails', () => {
    // A test that restarts Redis: jest's default 5 s is tight on a loaded machine.
    const restartTimeoutMs = 20_000;

    it('goes on with the database while Redis is stopped, loses no write, and warns once', async () => {
      const clock = { now: 0 };
      const { store } = await instance({ clock });
      const key = await store.create(sessionWrite({ visits: 0 }));
      await store.load(key); // cached: { visits: 0 }

      await redis.stop();
      for (let visit = 1; visit <= 10; visit++) {
        const data = (await store.load(key))!;
        expect(data.visits).toBe(visit - 1);
        await store.save(key, sessionWrite({ visits: visit }));
      }
      const other = await store.create(sessionWrite({ other: true }));
      expect(await store.load(other)).toEqual({ other: true });
      expect(await store.delete(other)).toBe(true);

      expect(await database.sessionData(key)).toEqual({ visits: 10 });
      expect(warnings()).toEqual([
        expect.stringMatching(
          /^The session cache failed \(.*\): 'cached_db' goes on with the database alone/,
        ),
      ]);
      expect(logger.text()).not.toContain(key);
    });

    it(
      'clears its own cache before it serves again, entries other instances left stale included',
      async () => {
        const clockA = { now: 0 };
        const clockB = { now: 0 };
        const a = await instance({ clock: clockA });
        const b = await instance({ clock: clockB });
        const mine = await a.store.create(sessionWrite({ visits: 0 }));
        const theirs = await a.store.create(sessionWrite({ user: 'alice' }));
        await a.store.load(mine);
        await b.store.load(theirs);
        expect(await entry(mine)).toEqual({ visits: 0 });
        expect(await entry(theirs)).toEqual({ user: 'alice' });

        await redis.stop();
        await b.store.save(mine, sessionWrite({ visits: 1 }));
        expect(await a.store.delete(theirs)).toBe(true); // a logout on a
        await redis.start();
        // Restarted from its append-only file: the old entries are back.
        expect(await entry(mine)).toEqual({ visits: 0 });
        expect(await entry(theirs)).toEqual({ user: 'alice' });

        // b failed too; before the retry interval, it keeps to the database.
        expect(await b.store.load(mine)).toEqual({ visits: 1 });
        expect(await b.store.load(theirs)).toBeNull();

        // b recovers first, in the background.
        const back = logger.next(/answers again/);
        clockB.now += 1000;
        // exists() starts the recovery and, unlike load(), never refills: the
        // entries checked below are what the recovery left.
        expect(await b.store.exists(mine)).toBe(true);
        expect(await back).toBe(
          "The session cache answers again: 'cached_db' reads from it again, " +
            'after clearing it of the sessions cached before it failed.',
        );
        expect(await entry(mine)).toBeNull();
        expect(await entry(theirs)).toBeNull();
        expect(await b.store.load(mine)).toEqual({ visits: 1 });
        expect(await entry(mine)).toEqual({ visits: 1 });
        expect(await b.store.load(theirs)).toBeNull();
        expect(await b.store.exists(theirs)).toBe(false);
      },
      restartTimeoutMs,
    );

    it(
      "drops, from an app's cache, the entries of the sessions it wrote while Redis was away",
      async () => {
        const clock = { now: 0 };
        const { store, cache } = await instance({ clock, appsCache: true });
        const key = await store.create(sessionWrite({ visits: 0 }));
        const untouched = await store.create(sessionWrite({ other: true }));
        await store.load(key);
        await store.load(untouched);
        await cache.set('app-data', 'kept');

        await redis.stop();
        await store.save(key, sessionWrite({ visits: 1 }));
        await redis.start();
        expect(await entry(key)).toEqual({ visits: 0 });

        const back = logger.next(/answers again/);
        clock.now += 1000;
        // exists() starts the recovery and, unlike load(), never refills: the
        // entries checked below are what the recovery left.
        expect(await store.exists(key)).toBe(true);
        expect(await back).toBe(
          "The session cache answers again: 'cached_db' reads from it again, " +
            'after dropping the entries of 1 session written while it failed.',
        );
        expect(await entry(key)).toBeNull();
        // Not cleared: the app's other data and other sessions stay.
        expect(await entry(untouched)).toEqual({ other: true });
        expect(await cache.get('app-data')).toBe('kept');
        expect(await store.load(key)).toEqual({ visits: 1 });
        expect(await entry(key)).toEqual({ visits: 1 });
      },
      restartTimeoutMs,
    );

    it.each([
      ['its own cache', false],
      ["an app's cache", true],
    ])(
      'does not leave, in %s, the entry of a refill that timed out, should Redis apply it later',
      async (_label, appsCache) => {
        const clockA = { now: 0 };
        const a = await instance({ clock: clockA, timeoutMs: 200, appsCache });
        const b = await instance();
        const key = await a.store.create(sessionWrite({ visits: 1 }));
        const held = holdWrites(a.cache);

        const reading = a.store.load(key);
        await held.reached;
        // a gives up on its refill (the cache counts as failing) ...
        expect(await reading).toEqual({ visits: 1 });
        await b.store.save(key, sessionWrite({ visits: 2 }));
        // ... which Redis then applies, after b dropped the entry.
        held.release();
        await held.applied;
        expect(await entry(key)).toEqual({ visits: 1 });

        const back = logger.next(/answers again/);
        clockA.now += 1000;
        // exists() starts the recovery and, unlike load(), never refills: the
        // entries checked below are what the recovery left.
        expect(await a.store.exists(key)).toBe(true);
        await back;
        expect(await entry(key)).toBeNull();
        expect(await b.store.load(key)).toEqual({ visits: 2 });
      },
    );

    it('answers from the database when Redis hangs, within the cache timeout', async () => {
      const clock = { now: 0 };
      const { store } = await instance({ clock, timeoutMs: 200 });
      const key = await store.create(sessionWrite({ visits: 0 }));
      await store.load(key);

      redis.pause();
      const started = performance.now();
      expect(await store.load(key)).toEqual({ visits: 0 });
      await store.save(key, sessionWrite({ visits: 1 }));
      expect(await store.load(key)).toEqual({ visits: 1 });
      // One timeout, then the store no longer waits on the cache.
      expect(performance.now() - started).toBeLessThan(1500);
      redis.resume();

      clock.now += 1000;
      expect(await store.load(key)).toEqual({ visits: 1 });
      expect(await database.sessionData(key)).toEqual({ visits: 1 });
      expect(warnings()[0]).toMatch(/did not read a session within 200 ms/);
    });
  });
});

/**
 * A Keyv on the Redis of `url`, as an app makes one for `cache.keyv` (with
 * the public APIs of `keyv` and `@keyv/redis`), set up as the module sets up
 * its own from `cache.url`: it throws its errors instead of hiding them, a
 * command sent while Redis is away fails at once (no offline queue), the
 * client reconnects in the background, 500 ms apart at most, and a
 * session's entry is `<namespace>::<key>`.
 */
function redisCache(url: string): SessionKeyv {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 500),
    },
  });
  // Both throw: an adapter left to its default answers a failed command as
  // a missing entry.
  const adapter = new KeyvRedis(client, {
    namespace: NAMESPACE,
    throwOnErrors: true,
  });
  return new Keyv(adapter, {
    namespace: NAMESPACE,
    // The adapter prefixes the keys with the namespace; Keyv need not too.
    useKeyPrefix: false,
    throwOnErrors: true,
  });
}
