import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CleanupService } from 'nest-sessions';
import {
  CLEANUP_MODES,
  cleanupAppOpener,
  ExpiredKeysRecorder,
  seedSessions,
} from './support/cleanup-testing.js';
import { RecordingLogger } from './support/recording-logger.js';
import {
  makeSessionFolders,
  SessionFoldersCleanup,
  sessionFolders,
} from './support/session-folders.js';
import { TestDatabase } from './support/test-database.js';

/** The keys waiting in the outbox, sorted. */
async function outboxKeys(database: TestDatabase): Promise<string[]> {
  const rows = await database.query<{ key: string }>(
    'SELECT unnest(session_keys) AS key FROM session_expired_outbox ORDER BY 1',
  );
  return rows.map((row) => row.key);
}

/**
 * `@AfterSessionsExpired()`: called with each batch's keys once the batch
 * has committed; what a failure or a crash leaves undone waits in the
 * outbox, and the next run does it first.
 */
describe('CleanupService: @AfterSessionsExpired() handlers', () => {
  let database: TestDatabase;
  let root: string;
  const open = cleanupAppOpener(() => database);

  beforeAll(async () => {
    database = await TestDatabase.create();
  });

  beforeEach(async () => {
    await database.query('TRUNCATE session, session_expired_outbox');
    root = await mkdtemp(join(tmpdir(), 'session-folders-'));
    SessionFoldersCleanup.root = root;
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  afterAll(async () => {
    await database.drop();
  });

  describe.each(CLEANUP_MODES)("mode '%s'", (mode) => {
    it('removes the files of every expired session once its batch has committed, and no live one', async () => {
      const expired = await seedSessions(database, 'gone', 23, '-1 day');
      const live = await seedSessions(database, 'live', 5, '1 day');
      await makeSessionFolders(root, [...expired, ...live]);
      const app = await open({
        providers: [SessionFoldersCleanup, ExpiredKeysRecorder],
      });
      // Seen from another connection while the handler runs: the batch's
      // sessions are already gone, so its transaction has committed.
      const committed: number[] = [];
      const cleanup = app.get(SessionFoldersCleanup);
      cleanup.onCall = async (keys) => {
        const [row] = await database.query<{ n: string }>(
          'SELECT count(*) AS n FROM session WHERE session_key = ANY($1)',
          [keys],
        );
        committed.push(Number(row.n));
      };

      const result = await app.get(CleanupService).run({ mode, batchSize: 10 });

      expect(result).toMatchObject({
        deleted: 23,
        afterCommitFailures: 0,
        afterCommitRecovered: 0,
      });
      expect(committed).toEqual([0, 0, 0]);
      expect(cleanup.batches.map((keys) => keys.length)).toEqual([10, 10, 3]);
      expect(cleanup.batches.flat().sort()).toEqual(expired);
      // Both kinds of handlers saw the same batches.
      expect(app.get(ExpiredKeysRecorder).batches).toEqual(cleanup.batches);
      expect(await sessionFolders(root)).toEqual(live);
      expect(await outboxKeys(database)).toEqual([]);
    });

    it('keeps the sessions deleted when a handler throws, logs it once, and finishes the work next run', async () => {
      const expired = await seedSessions(database, 'gone', 40, '-1 day');
      await makeSessionFolders(root, expired);
      const logger = new RecordingLogger();
      const app = await open({ providers: [SessionFoldersCleanup], logger });
      const cleanup = app.get(SessionFoldersCleanup);
      cleanup.failOnCalls = new Set([2, 3]);

      const failed = await app.get(CleanupService).run({ mode, batchSize: 10 });

      expect(failed).toMatchObject({
        deleted: 40,
        afterCommitFailures: 2,
        afterCommitRecovered: 0,
      });
      expect(await database.sessionCount()).toBe(0);
      const left = expired.slice(10, 30);
      expect(await sessionFolders(root)).toEqual(left);
      expect(await outboxKeys(database)).toEqual(left);
      const errors = logger.lines.filter((line) => line.level === 'error');
      expect(errors.map((line) => line.message)).toEqual([
        '@AfterSessionsExpired() failed for a committed cleanup batch; its 10 keys stay in the outbox ' +
          'and the next run calls the handlers with them again: the file server is read-only',
        '@AfterSessionsExpired() failed for 2 cleanup batches in this run in all; ' +
          'their keys stay in the outbox for the next run.',
      ]);
      expect(logger.text()).not.toContain(expired[0]);
      expect(
        (await app.get(CleanupService).metrics()).afterCommitFailures,
      ).toBe(2);

      // Nothing expired is left to delete; the outbox's two batches are done.
      const next = await app.get(CleanupService).run({ mode, batchSize: 10 });

      expect(next).toMatchObject({
        deleted: 0,
        afterCommitFailures: 0,
        afterCommitRecovered: 2,
      });
      expect(await sessionFolders(root)).toEqual([]);
      expect(await outboxKeys(database)).toEqual([]);
    });

    it('finishes, on the next run, the work of a process killed between a batch commit and its file removal', async () => {
      const expired = await seedSessions(database, 'gone', 12, '-1 day');
      const live = await seedSessions(database, 'live', 3, '1 day');
      await makeSessionFolders(root, [...expired, ...live]);

      const child = spawn(
        process.execPath,
        [
          '--import',
          '@swc-node/register/esm-register',
          'test/fixtures/crash-after-commit.ts',
        ],
        {
          env: {
            ...process.env,
            DATABASE_URL: database.url,
            CLEANUP_MODE: mode,
          },
          stdio: 'ignore',
        },
      );
      const [code, signal] = (await once(child, 'exit')) as [
        number | null,
        string | null,
      ];
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' });

      // The batch committed (default size: all 12 in one), then the process died.
      expect(await database.sessionCount()).toBe(3);
      expect(await sessionFolders(root)).toEqual([...expired, ...live]);
      expect(await outboxKeys(database)).toEqual(expired);

      const app = await open({ providers: [SessionFoldersCleanup] });
      const next = await app.get(CleanupService).run({ mode });

      expect(next).toMatchObject({ deleted: 0, afterCommitRecovered: 1 });
      expect(await sessionFolders(root)).toEqual(live);
      expect(await outboxKeys(database)).toEqual([]);
    }, 60_000);
  });

  it('says what to do when the outbox table is missing', async () => {
    await database.query('ALTER TABLE session_expired_outbox RENAME TO away');
    try {
      await seedSessions(database, 'gone', 2, '-1 day');
      const app = await open({ providers: [SessionFoldersCleanup] });

      await expect(app.get(CleanupService).run()).rejects.toThrow(
        '@AfterSessionsExpired() needs the outbox table "session_expired_outbox", which does not exist: ' +
          "add sessionMigrations to your DataSource's migrations and run them",
      );
      expect(await database.sessionCount()).toBe(2);
    } finally {
      await database.query('ALTER TABLE away RENAME TO session_expired_outbox');
    }
  });

  it('does not use the outbox without @AfterSessionsExpired() handlers', async () => {
    await database.query('ALTER TABLE session_expired_outbox RENAME TO away');
    try {
      await seedSessions(database, 'gone', 2, '-1 day');
      const app = await open({ providers: [ExpiredKeysRecorder] });

      await expect(app.get(CleanupService).run()).resolves.toMatchObject({
        deleted: 2,
      });
    } finally {
      await database.query('ALTER TABLE away RENAME TO session_expired_outbox');
    }
  });
});
