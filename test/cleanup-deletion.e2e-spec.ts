import { CleanupService, SessionsError } from 'nest-sessions';
import pg from 'pg';
import {
  CLEANUP_MODES,
  cleanupAppOpener,
  ExpiredKeysRecorder,
  remainingKeys,
  removeEvents,
  resetRemoveEvents,
  seedSessions,
} from './support/cleanup-testing.js';
import { RecordingLogger } from './support/recording-logger.js';
import { waitForLockWait } from './support/lock-wait.js';
import { TestDatabase } from './support/test-database.js';

/**
 * What `CleanupService.run()` deletes, in either mode: every expired session
 * and only those, a batch at a time, sessions tied at one instant included,
 * never one whose expiry another transaction extends meanwhile; and what it
 * says about it.
 */
describe('CleanupService: what a run deletes', () => {
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

  describe.each(CLEANUP_MODES)("mode '%s'", (mode) => {
    it('deletes every expired session and only those, in batches', async () => {
      const expired = await seedSessions(database, 'gone', 25, '-1 hour');
      const live = await seedSessions(database, 'live', 10, '1 hour');
      await seedSessions(database, 'soon', 3, '1 minute');
      const app = await open({ sessions: { cleanup: { mode } } });

      const result = await app.get(CleanupService).run({ mode, batchSize: 10 });

      expect(result).toEqual({
        deleted: 25,
        batches: 3,
        durationMs: expect.any(Number) as number,
        mode,
        skipped: null,
        stoppedEarly: false,
        afterCommitFailures: 0,
        afterCommitRecovered: 0,
      });
      expect(expired).toHaveLength(25);
      const left = await remainingKeys(database);
      expect(left.filter((key) => key.startsWith('live'))).toEqual(live);
      expect(left).toHaveLength(13);
    });

    it('takes sessions that expire at the very same instant a batch at a time', async () => {
      const tied = await seedSessions(database, 'tied', 12, '-1 hour');
      await database.query(
        `UPDATE session SET expire_date = date_trunc('second', now()) - interval '1 hour'`,
      );
      const app = await open({ providers: [ExpiredKeysRecorder] });

      const result = await app.get(CleanupService).run({ mode, batchSize: 5 });

      const { batches } = app.get(ExpiredKeysRecorder);
      expect(batches.map((keys) => keys.length)).toEqual([5, 5, 2]);
      expect(batches.flat().sort()).toEqual(tied);
      expect(result).toMatchObject({ deleted: 12, batches: 3 });
    });

    it('takes runs of sessions tied at one instant across batch bounds, each session once', async () => {
      const runs = { a: 7, b: 8, c: 3, d: 1 };
      const tied: string[] = [];
      for (const [prefix, count] of Object.entries(runs)) {
        tied.push(...(await seedSessions(database, prefix, count, '-1 hour')));
      }
      // Each run at its own second: a, b, c and d, one second apart.
      await database.query(
        `UPDATE session SET expire_date = date_trunc('second', now()) - interval '1 hour'
           + (ascii(session_key) - ascii('a')) * interval '1 second'`,
      );
      const live = await seedSessions(database, 'live', 4, '1 hour');
      const app = await open({ providers: [ExpiredKeysRecorder] });

      const result = await app.get(CleanupService).run({ mode, batchSize: 5 });

      const { batches } = app.get(ExpiredKeysRecorder);
      expect(batches.flat().sort()).toEqual(tied.sort());
      expect(Math.max(...batches.map((keys) => keys.length))).toBe(5);
      expect(result).toMatchObject({ deleted: 19, batches: batches.length });
      expect(await remainingKeys(database)).toEqual(live);
      // One beforeRemove per session: no batch loaded too early and redone.
      const before = removeEvents.filter(({ event }) => event === 'before');
      expect(before.map(({ key }) => key).sort()).toEqual(
        mode === 'events' ? tied : [],
      );
    });

    it.each([5000, 1])(
      'never deletes a session whose expiry is extended while it runs (batches of %p)',
      async (batchSize) => {
        const keys = await seedSessions(database, 'gone', 3, '-1 hour');
        // All at one instant, so that batches of 1 take the path for ties.
        await database.query(
          `UPDATE session SET expire_date = date_trunc('second', now()) - interval '1 hour'`,
        );
        const [extended, ...expired] = keys;
        const app = await open();
        // Another connection extends the session but has not committed yet:
        // the cleanup has to wait for it, then sees the new expiry.
        const other = new pg.Client({ connectionString: database.url });
        await other.connect();
        await other.query('BEGIN');
        await other.query(
          `UPDATE session SET expire_date = now() + interval '1 day' WHERE session_key = $1`,
          [extended],
        );
        const running = app.get(CleanupService).run({ mode, batchSize });
        await waitForLockWait(database);
        await other.query('COMMIT');
        await other.end();

        expect((await running).deleted).toBe(expired.length);
        expect(await remainingKeys(database)).toEqual([extended]);
      },
    );
  });

  it.each(CLEANUP_MODES)(
    "logs one line per run, with no session key in it ('%s')",
    async (mode) => {
      const keys = await seedSessions(database, 'gone', 7, '-1 hour');
      const logger = new RecordingLogger();
      const app = await open({ logger });

      await app.get(CleanupService).run({ mode, batchSize: 5 });

      const lines = logger.lines.filter((line) =>
        line.message.startsWith('Cleanup'),
      );
      expect(lines).toEqual([
        expect.objectContaining({
          level: 'log',
          context: 'Sessions',
          message: expect.stringMatching(
            new RegExp(
              `^Cleanup \\(${mode}\\): deleted 7 expired sessions in 2 batches, \\d+ ms\\.$`,
            ),
          ) as string,
        }),
      ]);
      for (const key of keys) {
        expect(logger.text()).not.toContain(key);
      }
    },
  );

  it('counts expired sessions without deleting them', async () => {
    await seedSessions(database, 'gone', 4, '-1 hour');
    await seedSessions(database, 'live', 2, '1 hour');
    const app = await open();

    expect(await app.get(CleanupService).countExpired()).toBe(4);
    expect(await database.sessionCount()).toBe(6);
  });

  it('refuses run options out of range', async () => {
    const app = await open();
    const cleanup = app.get(CleanupService);

    await expect(cleanup.run({ batchSize: 0 })).rejects.toThrow(
      new SessionsError(
        "CleanupService.run(): 'batchSize' must be a whole number from 1 to 100000, got 0.",
      ),
    );
    await expect(cleanup.run({ mode: 'fast' as never })).rejects.toThrow(
      "CleanupService.run(): 'mode' must be 'raw' or 'events', got \"fast\".",
    );
  });
});
