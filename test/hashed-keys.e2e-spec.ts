import { createHash } from 'node:crypto';
import { createClient } from '@keyv/redis';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  CleanupService,
  OnSessionsExpired,
  SessionService,
  type SessionsExpiredEvent,
  type SessionsModuleOptions,
  SessionsConfigurationError,
  TypeOrmSessionStore,
} from 'nest-sessions';
import { describeSessionStoreContract } from 'nest-sessions/testing';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../src/database/typeorm-options.js';
import { expectOneCorruptDataWarning } from './support/corrupt-data-warning.js';
import { RedisTestServer } from './support/redis-server.js';
import { sessionsTestingModule } from './support/sessions-testing-module.js';
import { TestDatabase } from './support/test-database.js';

const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');

describeSessionStoreContract(
  "'db' with hashKeys (TypeOrmSessionStore)",
  async () => {
    const database = await TestDatabase.create();
    const dataSource = await new DataSource(
      typeOrmOptions(database.url),
    ).initialize();
    const store = new TypeOrmSessionStore(dataSource, undefined, {
      hashKeys: true,
    });
    return {
      store,
      corrupt: async (key) => {
        await database.query(
          `UPDATE session SET session_data = '"not an object"' WHERE session_key = $1`,
          [store.storedKeyOf(key)],
        );
        return key;
      },
      close: async () => {
        await dataSource.destroy();
        await database.drop();
      },
    };
  },
);

expectOneCorruptDataWarning();

/** Records the keys the cleanup hands over. */
@Injectable()
class KeysSeen {
  readonly keys: string[] = [];

  @OnSessionsExpired()
  seen({ keys }: SessionsExpiredEvent): void {
    this.keys.push(...keys);
  }
}

describe.each(['db', 'cached_db'] as const)(
  "Keys hashed at rest, on the '%s' store",
  (store) => {
    let database: TestDatabase;
    let redis: RedisTestServer | undefined;
    const modules: TestingModule[] = [];

    beforeAll(async () => {
      database = await TestDatabase.create();
      if (store === 'cached_db') {
        redis = await RedisTestServer.start();
      }
    });

    afterEach(async () => {
      await Promise.all(modules.map((moduleRef) => moduleRef.close()));
      modules.length = 0;
    });

    afterAll(async () => {
      await Promise.all([database.drop(), redis?.close()]);
    });

    /** An app instance with `hashKeys`, and the keys its cleanup handed over. */
    async function instance(hashKeys: boolean | 'migrate') {
      const options: SessionsModuleOptions = {
        store,
        hashKeys,
        cleanup: { enabled: false },
        ...(redis ? { cache: { url: redis.url } } : {}),
      };
      const moduleRef = await sessionsTestingModule(database, options, false, [
        KeysSeen,
      ]);
      modules.push(moduleRef);
      return {
        sessions: moduleRef.get(SessionService),
        seen: moduleRef.get(KeysSeen),
        cleanup: moduleRef.get(CleanupService),
      };
    }

    async function storedKeys(): Promise<string[]> {
      const rows = await database.query<{ session_key: string }>(
        'SELECT session_key FROM session',
      );
      return rows.map((row) => row.session_key);
    }

    /** Everything the table and the cache hold, as text. */
    async function allStored(): Promise<string> {
      const rows = await database.query('SELECT * FROM session');
      if (redis === undefined) {
        return JSON.stringify(rows);
      }
      const client = createClient({ url: redis.url });
      await client.connect();
      try {
        const names = await client.keys('*');
        const values = await Promise.all(names.map((name) => client.get(name)));
        return JSON.stringify({ rows, names, values });
      } finally {
        client.destroy();
      }
    }

    it('keeps the hash of each key, never the key, and finds sessions by the key', async () => {
      const { sessions } = await instance(true);
      const session = sessions.create();
      session.set('cart', [1]);
      await session.save();
      const key = session.sessionKey!;

      expect((await sessions.load(key))!.toJSON()).toEqual({ cart: [1] });
      // Read twice: on 'cached_db', the second read comes from the cache.
      expect((await sessions.load(key))!.toJSON()).toEqual({ cart: [1] });
      expect(await storedKeys()).toContain(sha256(key));
      expect(await allStored()).not.toContain(key);
      expect(sessions.storedKeyOf(session)).toBe(sha256(key));
      // The stored value does not open the session.
      expect(await sessions.load(sha256(key))).toBeNull();
    });

    it('gives the cleanup handlers the stored keys', async () => {
      const { sessions, seen, cleanup } = await instance(true);
      const session = sessions.create();
      session.set('a', 1);
      await session.save();
      await database.query(
        `UPDATE session SET expire_date = now() - interval '1 second' WHERE session_key = $1`,
        [sessions.storedKeyOf(session)],
      );

      await cleanup.run();

      expect(seen.keys).toEqual([sha256(session.sessionKey!)]);
    });

    it("moves a table of plain keys over with 'migrate', logging nobody out", async () => {
      await database.query('DELETE FROM session');
      const before = await instance(false);
      const keys: string[] = [];
      for (let i = 0; i < 3; i++) {
        const session = before.sessions.create();
        session.set('n', i);
        await session.save();
        keys.push(session.sessionKey!);
      }
      const expired = keys.pop()!;
      await database.query(
        `UPDATE session SET expire_date = now() - interval '1 second' WHERE session_key = $1`,
        [expired],
      );
      expect(await storedKeys()).toEqual(expect.arrayContaining(keys));

      const migrating = await instance('migrate');
      for (const [i, key] of keys.entries()) {
        const loaded = (await migrating.sessions.load(key))!;
        expect(loaded.toJSON()).toEqual({ n: i });
        loaded.set('seen', true);
        await loaded.save();
      }
      // Read and re-keyed: the table holds their hashes now.
      expect(await storedKeys()).toEqual(
        expect.arrayContaining(keys.map(sha256)),
      );
      expect(await storedKeys()).not.toEqual(expect.arrayContaining([keys[0]]));
      // An expired plain-keyed session reaches the handlers as its hash.
      await migrating.cleanup.run();
      expect(migrating.seen.keys).toEqual([sha256(expired)]);

      const after = await instance(true);
      expect((await after.sessions.load(keys[0]))!.toJSON()).toEqual({
        n: 0,
        seen: true,
      });
    });

    it("lists and revokes a user's sessions by the same public ids", async () => {
      const { sessions } = await instance(true);
      const session = sessions.create();
      session.set('a', 1);
      await session.save();
      await sessions.login(session, 'hashed-user');
      const other = sessions.create();
      other.set('a', 1);
      await other.save();
      await sessions.login(other, 'hashed-user');

      const listed = await sessions.listUserSessions('hashed-user', session);
      expect(listed.map(({ current }) => current).sort()).toEqual([
        false,
        true,
      ]);
      expect(listed.find(({ current }) => current)!.id).toBe(
        sha256(session.sessionKey!),
      );
      expect(await sessions.revokeOtherSessions(session)).toBe(1);
      expect(await sessions.load(other.sessionKey!)).toBeNull();
      expect(await sessions.load(session.sessionKey!)).not.toBeNull();
    });
  },
);

describe('hashKeys on a store that cannot', () => {
  it('fails at bootstrap', async () => {
    const database = await TestDatabase.create();
    try {
      await expect(
        sessionsTestingModule(database, { store: 'cache', hashKeys: true }),
      ).rejects.toThrow(
        new SessionsConfigurationError([
          "'hashKeys' needs a store that keeps hashes of the keys, and CacheSessionStore does not: use the 'db' or 'cached_db' store.",
        ]),
      );
    } finally {
      await database.drop();
    }
  });
});
