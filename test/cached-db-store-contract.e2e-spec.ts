import { SessionStore } from 'nest-sessions';
import { describeSessionStoreContract } from 'nest-sessions/testing';
import { createClient } from '@keyv/redis';
import { RedisTestServer } from './support/redis-server.js';
import { sessionsTestingModule } from './support/sessions-testing-module.js';
import { TestDatabase } from './support/test-database.js';

describeSessionStoreContract(
  "'cached_db' (CachedDbSessionStore) on PostgreSQL and Redis",
  async () => {
    const [database, redis] = await Promise.all([
      TestDatabase.create(),
      RedisTestServer.start(),
    ]);
    const moduleRef = await sessionsTestingModule(database, {
      store: 'cached_db',
      cache: { url: redis.url },
      cleanup: { enabled: false },
    });
    const raw = await createClient({ url: redis.url }).connect();
    return {
      store: moduleRef.get(SessionStore),
      // The row is the session; its cache entry, if any, goes with it.
      corrupt: async (key) => {
        await database.query(
          `UPDATE session SET session_data = '"not an object"' WHERE session_key = $1`,
          [key],
        );
        await raw.del(`sessions::${key}`);
        return key;
      },
      close: async () => {
        raw.destroy();
        await moduleRef.close();
        await Promise.all([database.drop(), redis.close()]);
      },
    };
  },
);
