import { RedisTestServer } from '../support/redis-server.js';
import { TestDatabase } from '../support/test-database.js';
import { DemoProcess } from '../support/demo-process.js';
import { restartUnderLoad } from './support/restart-under-load.js';

/**
 * The demo on the 'cache' and 'cached_db' stores, its Redis (with an
 * append-only file, as a production Redis that keeps sessions has) stopped
 * and started again while 50 visitors count their visits.
 */
describe.each([
  // The cache is the store: requests fail (503) while it is away.
  { store: 'cache', statuses: ['200', '503'] },
  // The database stays: 'cached_db' goes on without the cache.
  { store: 'cached_db', statuses: ['200'] },
])('Redis restarted under load, $store store', ({ store, statuses }) => {
  let redis: RedisTestServer;
  let database: TestDatabase;
  let demo: DemoProcess;

  beforeAll(async () => {
    redis = await RedisTestServer.start({ persistent: true });
    database = await TestDatabase.create({ migrate: false });
    demo = await DemoProcess.start({
      SESSION_STORE: store,
      REDIS_URL: redis.url,
      DATABASE_URL: database.url,
    });
  }, 60_000);

  afterAll(async () => {
    await demo?.stop();
    await redis?.close();
    await database?.drop();
  });

  it(`answers ${statuses.join(' or ')} meanwhile, 200 again within 5 s of its return, and keeps every saved session`, async () => {
    await restartUnderLoad(
      `Redis restarted under load, ${store} store (50 visitors)`,
      demo,
      redis,
      statuses,
    );
  }, 120_000);
});
