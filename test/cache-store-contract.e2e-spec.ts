import { createClient } from '@keyv/redis';
import { describeSessionStoreContract } from '@app/sessions/testing';
import { CacheSessionStore } from '../libs/sessions/src/stores/cache-session.store.js';
import { openSessionCache } from '../libs/sessions/src/stores/session-cache.util.js';
import { RedisTestServer } from './support/redis-server.js';

describeSessionStoreContract(
  "'cache' (CacheSessionStore) on Redis",
  async () => {
    const redis = await RedisTestServer.start();
    const { cache } = openSessionCache({
      url: redis.url,
      keyv: undefined,
      namespace: 'sessions',
    });
    const store = new CacheSessionStore(cache, { ownsCache: true });
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
        await store.onApplicationShutdown();
        await redis.close();
      },
    };
  },
);

describeSessionStoreContract("'cache' (CacheSessionStore) in memory", () => {
  const { cache } = openSessionCache({
    url: undefined,
    keyv: undefined,
    namespace: 'sessions',
  });
  const store = new CacheSessionStore(cache, { ownsCache: true });
  return {
    store,
    // Data that is JSON, but not an object.
    corrupt: async (key) => {
      await cache.set(key, '[1, 2]', 60_000);
      return key;
    },
    close: () => store.onApplicationShutdown(),
  };
});
