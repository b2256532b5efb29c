import {
  CleanupService,
  OnSessionsExpired,
  type SessionsExpiredEvent,
} from 'nest-sessions';
import { Injectable } from '@nestjs/common';
import {
  CLEANUP_MODES,
  cleanupAppOpener,
  ExpiredKeysRecorder,
  remainingKeys,
  resetRemoveEvents,
  seedSessions,
} from './support/cleanup-testing.js';
import { RecordingLogger } from './support/recording-logger.js';
import { TestDatabase } from './support/test-database.js';

/** Removes each visitor's notes with their session, and fails on demand. */
@Injectable()
class VisitorNotesCleanup {
  failOnBatch = 0;
  calls = 0;

  @OnSessionsExpired()
  async removeNotes({ keys, manager }: SessionsExpiredEvent): Promise<void> {
    this.calls++;
    await manager.query(
      'DELETE FROM visitor_note WHERE session_key = ANY($1)',
      [keys],
    );
    if (this.calls === this.failOnBatch) {
      throw new Error('the notes service is down');
    }
  }
}

/**
 * `@OnSessionsExpired()` handlers, in either mode: each gets every deleted
 * key once, batch by batch, in the batch's transaction, which one that
 * throws rolls back.
 */
describe('CleanupService: @OnSessionsExpired() handlers', () => {
  let database: TestDatabase;
  const open = cleanupAppOpener(() => database);

  beforeAll(async () => {
    database = await TestDatabase.create();
    await database.query(
      'CREATE TABLE visitor_note (session_key varchar(40), note text)',
    );
  });

  beforeEach(async () => {
    await database.query('TRUNCATE session, visitor_note');
    resetRemoveEvents();
  });

  afterAll(async () => {
    await database.drop();
  });

  describe.each(CLEANUP_MODES)("mode '%s'", (mode) => {
    it('gives each handler every deleted key exactly once, batch by batch', async () => {
      const expired = await seedSessions(database, 'gone', 23, '-1 day');
      await seedSessions(database, 'live', 5, '1 day');
      const app = await open({ providers: [ExpiredKeysRecorder] });

      await app.get(CleanupService).run({ mode, batchSize: 10 });

      const { batches } = app.get(ExpiredKeysRecorder);
      expect(batches.map((keys) => keys.length)).toEqual([10, 10, 3]);
      expect(batches.flat().sort()).toEqual(expired);
    });

    it('rolls back the batch whose handler throws, and keeps its sessions and rows for the next run', async () => {
      const expired = await seedSessions(database, 'gone', 25, '-1 hour');
      await database.query(
        `INSERT INTO visitor_note SELECT session_key, 'note' FROM session`,
      );
      const logger = new RecordingLogger();
      const app = await open({
        providers: [VisitorNotesCleanup],
        logger,
      });
      app.get(VisitorNotesCleanup).failOnBatch = 2;

      await expect(
        app.get(CleanupService).run({ mode, batchSize: 10 }),
      ).rejects.toThrow('the notes service is down');

      // The first batch went, with its notes; the second was undone.
      const left = await remainingKeys(database);
      expect(left).toEqual(expired.slice(10));
      const notes = await database.query<{ key: string }>(
        'SELECT session_key AS key FROM visitor_note ORDER BY 1',
      );
      expect(notes.map((note) => note.key)).toEqual(left);
      expect(logger.lines).toContainEqual(
        expect.objectContaining({
          level: 'error',
          message: expect.stringMatching(
            new RegExp(
              `^Cleanup \\(${mode}\\) failed after 1 batch \\(10 expired sessions deleted\\); ` +
                `the sessions left stay for the next run: the notes service is down$`,
            ),
          ) as string,
        }),
      );

      // The failed run's connection did not go back to the pool holding the lock.
      expect(
        await database.query(
          `SELECT 1 FROM pg_locks WHERE locktype = 'advisory'`,
        ),
      ).toEqual([]);
      app.get(VisitorNotesCleanup).failOnBatch = 0;
      const retry = await app.get(CleanupService).run({ mode });
      expect(retry.deleted).toBe(15);
      expect(await database.sessionCount()).toBe(0);
      expect(await database.query('SELECT * FROM visitor_note')).toEqual([]);
    });
  });
});
