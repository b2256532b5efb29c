import { CleanupService, SESSIONS_CLEANUP_JOB } from 'nest-sessions';
import { SchedulerRegistry } from '@nestjs/schedule';
import {
  cleanupAppOpener,
  createCleanupApp,
  resetRemoveEvents,
  seedSessions,
} from './support/cleanup-testing.js';
import { TestDatabase } from './support/test-database.js';

/**
 * The nightly cleanup's cron job: registered with `SchedulerRegistry` from
 * the options, fired by the test itself (no waiting for the clock), removed
 * on `app.close()`; and what the bootstrap says when it cannot be.
 */
describe('CleanupService: the cron job', () => {
  let database: TestDatabase;
  const open = cleanupAppOpener(() => database);

  beforeAll(async () => {
    database = await TestDatabase.create();
  });

  beforeEach(async () => {
    await database.query('TRUNCATE session');
    resetRemoveEvents();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('is registered with the configured expression and time zone, runs the cleanup, and is removed on close', async () => {
    await seedSessions(database, 'gone', 3, '-1 hour');
    // Closed by the test itself.
    const app = await createCleanupApp(database, {
      sessions: { cleanup: { cron: '30 4 * * *', timeZone: 'Asia/Tokyo' } },
    });
    const registry = app.get(SchedulerRegistry);
    const job = registry.getCronJob(SESSIONS_CLEANUP_JOB);

    expect(job.cronTime.source).toBe('30 4 * * *');
    expect(job.cronTime.timeZone).toBe('Asia/Tokyo');
    expect(job.isActive).toBe(true);
    const next = job.nextDate().setZone('Asia/Tokyo');
    expect([next.hour, next.minute]).toEqual([4, 30]);

    await job.fireOnTick();
    expect(await database.sessionCount()).toBe(0);

    await app.close();
    expect(registry.doesExist('cron', SESSIONS_CLEANUP_JOB)).toBe(false);
    expect(job.isActive).toBe(false);
  });

  it('is not registered when the cleanup is disabled, and then needs no ScheduleModule', async () => {
    const app = await open({
      sessions: { cleanup: { enabled: false } },
      schedule: false,
    });
    expect(app.get(CleanupService)).toBeInstanceOf(CleanupService);
  });

  it('fails the bootstrap with a clear message when ScheduleModule is missing', async () => {
    await expect(createCleanupApp(database, { schedule: false })).rejects
      .toThrow(`SessionsModule is misconfigured: the nightly cleanup needs @nestjs/schedule: \
import ScheduleModule.forRoot() in your application module, or turn the cleanup off with \
cleanup: { enabled: false } (and run CleanupService.run() or clearsessions yourself).`);
  });
});
