import {
  CleanupService,
  OnSessionsExpired,
  SessionsHealthIndicator,
} from 'nest-sessions';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import {
  cleanupAppOpener,
  createCleanupApp,
  seedSessions,
} from './support/cleanup-testing.js';
import { TestDatabase } from './support/test-database.js';

/** Holds the first batch in its handler until the app starts closing. */
@Injectable()
class GatedHandler implements OnModuleDestroy {
  static entered: () => void = () => {};
  private release: (() => void) | undefined;
  private first = true;

  @OnSessionsExpired()
  async hold(): Promise<void> {
    if (!this.first) return;
    this.first = false;
    GatedHandler.entered();
    await new Promise<void>((released) => {
      this.release = released;
    });
  }

  onModuleDestroy(): void {
    this.release?.();
  }
}

describe('Health and metrics', () => {
  let database: TestDatabase;
  const open = cleanupAppOpener(() => database);

  beforeAll(async () => {
    database = await TestDatabase.create();
  });

  afterEach(async () => {
    await database.setAvailable(true);
    await database.query('DELETE FROM session');
  });

  afterAll(async () => {
    await database.drop();
  });

  describe('SessionsHealthIndicator', () => {
    it('is up, with the store’s latency, while the store answers', async () => {
      const app = await open({ sessions: { cleanup: { enabled: false } } });
      const health = await app
        .get(SessionsHealthIndicator)
        .isHealthy('sessions');
      expect(health).toEqual({
        sessions: { status: 'up', latencyMs: expect.any(Number) as number },
      });
    });

    it('is down, saying why, when the store fails', async () => {
      const app = await open({ sessions: { cleanup: { enabled: false } } });
      await database.setAvailable(false);
      const health = await app
        .get(SessionsHealthIndicator)
        .isHealthy('sessions');
      expect(health.sessions.status).toBe('down');
      expect(health.sessions.message).toMatch(/^the session store failed: /);
    });

    it('is down when an expired session waits longer than maxExpiredAgeSeconds', async () => {
      const app = await open({ sessions: { cleanup: { enabled: false } } });
      const indicator = app.get(SessionsHealthIndicator);
      await seedSessions(database, 'old', 3, '-3 hours');

      const lenient = await indicator.isHealthy('sessions', {
        maxExpiredAgeSeconds: 4 * 3600,
      });
      expect(lenient.sessions).toMatchObject({ status: 'up' });
      expect(lenient.sessions.oldestExpiredSeconds).toBeGreaterThanOrEqual(
        3 * 3600,
      );

      const strict = await indicator.isHealthy('sessions', {
        maxExpiredAgeSeconds: 3600,
      });
      expect(strict.sessions.status).toBe('down');
      expect(strict.sessions.message).toMatch(
        /^an expired session has waited \d+ s to be purged, over 3600 s/,
      );
    });
  });

  describe('CleanupService.metrics()', () => {
    it('counts the runs, what they deleted, and the expired sessions waiting', async () => {
      const app = await open({ sessions: { cleanup: { enabled: false } } });
      const cleanup = app.get(CleanupService);
      await seedSessions(database, 'expired', 12, '-1 hour');
      await seedSessions(database, 'live', 3, '1 hour');

      const before = await cleanup.metrics();
      expect(before).toMatchObject({
        runs: 0,
        failures: 0,
        skipped: 0,
        deletedTotal: 0,
        lastRun: null,
        lastSuccessAt: null,
        expiredBacklog: 12,
      });
      expect(before.oldestExpiredSeconds).toBeGreaterThanOrEqual(3600);

      await cleanup.run({ batchSize: 5 });
      const after = await cleanup.metrics();
      expect(after).toMatchObject({
        runs: 1,
        failures: 0,
        deletedTotal: 12,
        lastRun: { deleted: 12, batches: 3, mode: 'raw', failed: false },
        expiredBacklog: 0,
        oldestExpiredSeconds: 0,
      });
      expect(after.lastSuccessAt!.getTime()).toBeGreaterThanOrEqual(
        after.lastRun!.startedAt.getTime(),
      );
    });

    it('counts a failed run', async () => {
      const app = await open({ sessions: { cleanup: { enabled: false } } });
      const cleanup = app.get(CleanupService);
      await seedSessions(database, 'expired', 2, '-1 hour');
      await database.setAvailable(false);
      await expect(cleanup.run()).rejects.toThrow();
      await database.setAvailable(true);

      expect(await cleanup.metrics()).toMatchObject({
        runs: 1,
        failures: 1,
        lastRun: { failed: true, deleted: 0 },
        lastSuccessAt: null,
      });
    });
  });

  describe('on shutdown', () => {
    it('lets a running cleanup commit its batch, then stop, before the database closes', async () => {
      const app = await createCleanupApp(database, {
        sessions: { cleanup: { enabled: false } },
        providers: [GatedHandler],
      });
      await seedSessions(database, 'expired', 10, '-1 hour');
      const entered = new Promise<void>((done) => {
        GatedHandler.entered = done;
      });
      const running = app.get(CleanupService).run({ batchSize: 4 });
      await entered;
      // Closing releases the batch's handler, then waits for the run.
      await app.close();

      expect(await running).toMatchObject({
        deleted: 4,
        batches: 1,
        stoppedEarly: true,
        skipped: null,
      });
      expect(
        await database.query('SELECT session_key FROM session'),
      ).toHaveLength(6);
    });
  });
});
