import { CleanupService, OnSessionsExpired } from 'nest-sessions';
import { Injectable } from '@nestjs/common';
import {
  cleanupAppOpener,
  createCleanupApp,
  resetRemoveEvents,
  seedSessions,
} from './support/cleanup-testing.js';
import { RecordingLogger } from './support/recording-logger.js';
import { RequestGate } from './support/session-probe.controller.js';
import { TestDatabase } from './support/test-database.js';

/** Holds each batch open until the test lets it go. */
@Injectable()
class BatchGate {
  constructor(readonly gate: RequestGate) {}

  @OnSessionsExpired()
  async hold(): Promise<void> {
    await this.gate.enter();
  }
}

/**
 * One run at a time: across app instances on one database (the cleanup
 * lock), within one process, and while the app closes.
 */
describe('CleanupService: one run at a time', () => {
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

  it('lets one of two instances on one database purge; the other skips and says so', async () => {
    const expired = await seedSessions(database, 'gone', 15, '-1 hour');
    const gate = new RequestGate();
    const first = await open({
      providers: [BatchGate, { provide: RequestGate, useValue: gate }],
    });
    const logger = new RecordingLogger();
    const second = await open({ logger });

    const running = first.get(CleanupService).run({ batchSize: 10 });
    await gate.entered;
    const skipped = await second.get(CleanupService).run();
    gate.release();
    const ran = await running;

    expect(skipped).toEqual({
      deleted: 0,
      batches: 0,
      durationMs: 0,
      mode: 'raw',
      skipped: 'locked',
      stoppedEarly: false,
      afterCommitFailures: 0,
      afterCommitRecovered: 0,
    });
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'log',
        message:
          'Cleanup skipped: another instance is purging expired sessions (it holds the cleanup lock).',
      }),
    );
    expect(ran).toMatchObject({ deleted: 15, batches: 2, skipped: null });
    expect(await database.sessionCount()).toBe(0);
    expect(expired).toHaveLength(15);

    // The lock went with the run: the other instance can purge now.
    await seedSessions(database, 'later', 2, '-1 hour');
    expect((await second.get(CleanupService).run()).deleted).toBe(2);
  });

  it('lets the batch in progress finish when the app closes, then stops', async () => {
    await seedSessions(database, 'gone', 8, '-1 hour');
    const gate = new RequestGate();
    // Closed by the test itself.
    const app = await createCleanupApp(database, {
      providers: [BatchGate, { provide: RequestGate, useValue: gate }],
    });
    const cleanup = app.get(CleanupService);

    const running = cleanup.run({ batchSize: 5 });
    await gate.entered;
    const closing = app.close();
    gate.release();
    await closing;

    expect(await running).toMatchObject({ deleted: 5, batches: 1 });
    expect(await database.sessionCount()).toBe(3);
    expect(await cleanup.run()).toMatchObject({ skipped: 'shutting-down' });
  });

  it('skips a run started while another is in progress in the same process', async () => {
    await seedSessions(database, 'gone', 3, '-1 hour');
    const gate = new RequestGate();
    const app = await open({
      providers: [BatchGate, { provide: RequestGate, useValue: gate }],
    });
    const cleanup = app.get(CleanupService);

    const running = cleanup.run();
    await gate.entered;
    expect(await cleanup.run()).toMatchObject({
      deleted: 0,
      skipped: 'already-running',
      stoppedEarly: false,
      afterCommitFailures: 0,
      afterCommitRecovered: 0,
    });
    gate.release();
    expect((await running).deleted).toBe(3);
  });
});
