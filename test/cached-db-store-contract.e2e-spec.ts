import { TypeOrmSessionStore } from '@app/sessions';
import { describeSessionStoreContract } from '@app/sessions/testing';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../src/database/typeorm-options.js';
import { CachedDbSessionStore } from '../libs/sessions/src/stores/cached-db-session.store.js';
import { openSessionCache } from '../libs/sessions/src/stores/session-cache.util.js';
import { RedisTestServer } from './support/redis-server.js';
import { TestDatabase } from './support/test-database.js';

describeSessionStoreContract(
  "'cached_db' (CachedDbSessionStore) on PostgreSQL and Redis",
  async () => {
    const [database, redis] = await Promise.all([
      TestDatabase.create(),
      RedisTestServer.start(),
    ]);
    const dataSource = await new DataSource(
      typeOrmOptions(database.url),
    ).initialize();
    const { cache } = openSessionCache({
      url: redis.url,
      keyv: undefined,
      namespace: 'sessions',
    });
    const store = new CachedDbSessionStore(
      new TypeOrmSessionStore(dataSource),
      cache,
      { ownsCache: true },
    );
    return {
      store,
      // The row is the session; its cache entry, if any, goes with it.
      corrupt: async (key) => {
        await database.query(
          `UPDATE session SET session_data = '"not an object"' WHERE session_key = $1`,
          [key],
        );
        await cache.delete(key);
        return key;
      },
      close: async () => {
        await store.onApplicationShutdown();
        await dataSource.destroy();
        await Promise.all([database.drop(), redis.close()]);
      },
    };
  },
);
