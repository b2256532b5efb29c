import {
  AbstractSessionEntity,
  CleanupService,
  OnSessionsExpired,
  SESSIONS_CLEANUP_JOB,
  SessionsError,
  SessionStore,
  type SessionsExpiredEvent,
} from 'nest-sessions';
import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import pg from 'pg';
import { AfterRemove, BeforeRemove, Entity } from 'typeorm';
import {
  cleanupAppOpener,
  createCleanupApp,
  ExpiredKeysRecorder,
  remainingKeys,
  removeEvents,
  seedSessions,
  subscriberBehaviour,
} from './support/cleanup-testing.js';
import { RecordingLogger } from './support/recording-logger.js';
import { RequestGate } from './support/session-probe.controller.js';
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

/** Holds each batch open until the test lets it go. */
@Injectable()
class BatchGate {
  constructor(readonly gate: RequestGate) {}

  @OnSessionsExpired()
  async hold(): Promise<void> {
    await this.gate.enter();
  }
}

/** What the listeners of `ListenedSession` saw. */
const listened = { before: [] as string[], after: [] as string[] };

/** The session table, mapped by an app's entity with remove listeners. */
@Entity('session')
class ListenedSession extends AbstractSessionEntity {
  @BeforeRemove()
  recordBefore(): void {
    listened.before.push(this.sessionKey);
  }

  @AfterRemove()
  recordAfter(): void {
    listened.after.push(this.sessionKey);
  }
}

const MODES = ['raw', 'events'] as const;

describe('CleanupService', () => {
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
    removeEvents.length = 0;
    subscriberBehaviour.touchRow = false;
    listened.before.length = 0;
    listened.after.length = 0;
  });

  afterAll(async () => {
    await database.drop();
  });

  describe.each(MODES)("mode '%s'", (mode) => {
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
      });
      expect(expired).toHaveLength(25);
      const left = await remainingKeys(database);
      expect(left.filter((key) => key.startsWith('live'))).toEqual(live);
      expect(left).toHaveLength(13);
    });

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

  describe('entity events', () => {
    it("fire for no session in 'raw' mode", async () => {
      await seedSessions(database, 'gone', 12, '-1 hour');
      const app = await open();

      await app.get(CleanupService).run({ mode: 'raw', batchSize: 5 });

      expect(await database.sessionCount()).toBe(0);
      expect(removeEvents).toEqual([]);
    });

    it("fire once before and once after removal for each session in 'events' mode", async () => {
      const expired = await seedSessions(database, 'gone', 12, '-1 hour');
      await seedSessions(database, 'live', 4, '1 hour');
      const app = await open();

      await app.get(CleanupService).run({ mode: 'events', batchSize: 5 });

      const keysOf = (event: string): (string | undefined)[] =>
        removeEvents.filter((e) => e.event === event).map((e) => e.key);
      expect(keysOf('before').sort()).toEqual(expired);
      expect(keysOf('after').sort()).toEqual(expired);
      // Each batch: all its befores, the delete, then all its afters.
      expect(removeEvents).toHaveLength(24);
      expect(removeEvents.slice(0, 10).map((e) => e.event)).toEqual([
        ...Array<string>(5).fill('before'),
        ...Array<string>(5).fill('after'),
      ]);
    });
  });

  it("deletes rows a beforeRemove subscriber wrote to, in 'events' mode", async () => {
    const expired = await seedSessions(database, 'gone', 6, '-1 hour');
    subscriberBehaviour.touchRow = true;
    const app = await open({ providers: [ExpiredKeysRecorder] });

    const result = await app
      .get(CleanupService)
      .run({ mode: 'events', batchSize: 4 });

    expect(result.deleted).toBe(6);
    expect(await database.sessionCount()).toBe(0);
    const afters = removeEvents.filter((e) => e.event === 'after');
    expect(afters.map((e) => e.key).sort()).toEqual(expired);
    expect(app.get(ExpiredKeysRecorder).batches.flat().sort()).toEqual(expired);
  });

  it("fires the entity's own @BeforeRemove and @AfterRemove once per session in 'events' mode", async () => {
    const expired = await seedSessions(database, 'gone', 7, '-1 hour');
    await seedSessions(database, 'live', 2, '1 hour');
    const app = await open({
      sessions: { entity: ListenedSession },
      entities: [ListenedSession],
    });

    await app.get(CleanupService).run({ mode: 'events', batchSize: 3 });

    expect(listened.before.sort()).toEqual(expired);
    expect(listened.after.sort()).toEqual(expired);
  });

  describe('one run at a time', () => {
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
      });
      gate.release();
      expect((await running).deleted).toBe(3);
    });
  });

  it.each(MODES)(
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

  describe('a store outside the database', () => {
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
            '@OnSessionsExpired() handlers are not called with the CountingStore: they get the keys ' +
            "of the expired sessions the cleanup deletes from the database, with the 'db' and 'cached_db' stores only.",
        }),
      );

      expect(await app.get(CleanupService).run()).toMatchObject({
        deleted: 0,
        skipped: 'expires-by-itself',
      });
      expect(store.cleared).toBe(0);
    });
  });

  describe('the cron job', () => {
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
});

/** Resolves once a connection to `database` waits for a row lock. */
async function waitForLockWait(database: TestDatabase): Promise<void> {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const waiting = await database.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`,
      [database.name],
    );
    if (waiting.length > 0) {
      return;
    }
  }
  throw new Error('the cleanup never waited for the locked row');
}
