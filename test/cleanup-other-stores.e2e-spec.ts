import { CleanupService, SessionStore } from 'nest-sessions';
import {
  cleanupAppOpener,
  ExpiredKeysRecorder,
} from './support/cleanup-testing.js';
import { RecordingLogger } from './support/recording-logger.js';
import { TestDatabase } from './support/test-database.js';

/** Holds nothing; says how many expired sessions it cleared. */
class CountingStore extends SessionStore {
  cleared = 0;
  constructor(private readonly selfExpiring: boolean) {
    super();
  }
  override get expiresByItself() {
    return this.selfExpiring;
  }
  load = () => Promise.resolve(null);
  exists = () => Promise.resolve(false);
  create = () => Promise.resolve('k'.repeat(32));
  save = () => Promise.resolve(null);
  delete = () => Promise.resolve(false);
  deleteIfEmpty = () => Promise.resolve(false);
  clearExpired = () => Promise.resolve(++this.cleared && 3);
}

/**
 * The cleanup with a store outside the database: it purges with the
 * store's own `clearExpired()`, or has nothing to do when the store's
 * sessions expire by themselves.
 */
describe('CleanupService: a store outside the database', () => {
  let database: TestDatabase;
  const open = cleanupAppOpener(() => database);

  beforeAll(async () => {
    database = await TestDatabase.create();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('purges with the store’s own clearExpired(), as one batch', async () => {
    const store = new CountingStore(false);
    const app = await open({
      sessions: { store, cleanup: { enabled: false } },
      schedule: false,
    });

    expect(await app.get(CleanupService).run()).toMatchObject({
      deleted: 3,
      batches: 1,
      skipped: null,
    });
    expect(store.cleared).toBe(1);
    expect(await app.get(CleanupService).countExpired()).toBeUndefined();
  });

  it('has nothing to do when the store’s sessions expire by themselves, and says handlers will not be called', async () => {
    const store = new CountingStore(true);
    const logger = new RecordingLogger();
    const app = await open({
      sessions: { store },
      schedule: false,
      providers: [ExpiredKeysRecorder],
      logger,
    });

    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message:
          '@OnSessionsExpired() and @AfterSessionsExpired() handlers are not called with the CountingStore: they get the keys ' +
          "of the expired sessions the cleanup deletes from the database, with the 'db' and 'cached_db' stores only.",
      }),
    );

    expect(await app.get(CleanupService).run()).toMatchObject({
      deleted: 0,
      skipped: 'expires-by-itself',
      stoppedEarly: false,
      afterCommitFailures: 0,
      afterCommitRecovered: 0,
    });
    expect(store.cleared).toBe(0);
  });
});
