import {
  CacheSessionStore,
  SessionStore,
  SessionsModule,
  type SessionsModuleOptions,
} from 'nest-sessions';
import { describeSessionStoreContract } from 'nest-sessions/testing';
import { createClient } from '@keyv/redis';
import { Test } from '@nestjs/testing';
import { RedisTestServer } from './support/redis-server.js';
import { silentLogger } from './support/sessions-testing-module.js';

/** The store an app gets from `SessionsModule.forRoot(options)`, without a database. */
async function storeOf(options: SessionsModuleOptions) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      SessionsModule.forRoot({ ...options, cleanup: { enabled: false } }),
    ],
  })
    .setLogger(silentLogger)
    .compile();
  await moduleRef.init();
  return { store: moduleRef.get(SessionStore), close: () => moduleRef.close() };
}

describeSessionStoreContract(
  "'cache' (CacheSessionStore) on Redis",
  async () => {
    const redis = await RedisTestServer.start();
    const { store, close } = await storeOf({
      store: 'cache',
      cache: { url: redis.url },
    });
    const raw = await createClient({ url: redis.url }).connect();
    return {
      store,
      // Bytes that are not even what Keyv writes.
      corrupt: async (key) => {
        await raw.set(`sessions::${key}`, 'not json {', { PX: 60_000 });
        return key;
      },
      close: async () => {
        raw.destroy();
        await close();
        await redis.close();
      },
    };
  },
);

describeSessionStoreContract(
  "'cache' (CacheSessionStore) in memory, as configured by default",
  async () => {
    const { store, close } = await storeOf({ store: 'cache' });
    const { cache } = store as CacheSessionStore;
    return {
      store,
      // Data that is JSON, but not an object.
      corrupt: async (key) => {
        await cache.set(key, '[1, 2]', 60_000);
        return key;
      },
      close,
    };
  },
);
