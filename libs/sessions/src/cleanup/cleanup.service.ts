import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { SessionsError } from '../errors/sessions.error.js';
import type { ResolvedSessionsOptions } from '../options/resolve-options.js';
import { isBatchSize } from '../options/resolve-cleanup-options.js';
import type { SessionsCleanupMode } from '../options/sessions-module-options.interface.js';
import {
  SESSIONS_LOGGER_CONTEXT,
  SESSIONS_OPTIONS,
} from '../sessions.constants.js';
import { SessionStore } from '../stores/session.store.js';
import { TypeOrmSessionStore } from '../stores/typeorm-session.store.js';
import type {
  CleanupBatch,
  CleanupBatches,
} from './cleanup-batches.interface.js';
import { CleanupLock } from './cleanup-lock.js';
import type {
  CleanupResult,
  CleanupRunOptions,
  CleanupSkipReason,
} from './cleanup-result.interface.js';
import { EventsCleanupBatches } from './events-cleanup-batches.js';
import { RawCleanupBatches } from './raw-cleanup-batches.js';
import { SessionsExpiredExplorer } from './sessions-expired.explorer.js';

/** How far a run got, for its log line when it fails. */
interface RunProgress {
  deleted: number;
  batches: number;
}

/**
 * Deletes expired sessions from the `'db'` store's table, in short batches,
 * one instance at a time (a PostgreSQL advisory lock). The nightly cron job
 * calls `run()`; so does `clearsessions`; an app may call it too.
 */
@Injectable()
export class CleanupService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SESSIONS_LOGGER_CONTEXT);
  private readonly lock: CleanupLock | undefined;
  private running = false;
  private current: Promise<CleanupResult> | undefined;
  private stopping = false;

  constructor(
    private readonly store: SessionStore,
    @Inject(SESSIONS_OPTIONS)
    private readonly options: ResolvedSessionsOptions,
    private readonly expired: SessionsExpiredExplorer,
  ) {
    if (store instanceof TypeOrmSessionStore) {
      this.lock = new CleanupLock(store.table.table);
    }
  }

  /** True when the store keeps sessions in the database, so there is something to purge. */
  get hasWork(): boolean {
    return this.store instanceof TypeOrmSessionStore;
  }

  /**
   * Deletes every session expired by the database's clock, `batchSize` at a
   * time, each batch its own transaction, and calls the
   * `@OnSessionsExpired()` handlers once per batch. Resolves with what it did,
   * or with `skipped` set when a run is already going on here or elsewhere.
   * Rejects (after logging) if a batch fails; that batch is rolled back.
   */
  async run(options: CleanupRunOptions = {}): Promise<CleanupResult> {
    const mode = options.mode ?? this.options.cleanup.mode;
    const batchSize = options.batchSize ?? this.options.cleanup.batchSize;
    checkRunOptions(mode, batchSize);
    if (!(this.store instanceof TypeOrmSessionStore) || !this.lock) {
      this.logger.log(
        `Cleanup skipped: the ${this.store.constructor.name} store keeps no sessions in the database.`,
      );
      return skipped(mode, 'no-database-store');
    }
    if (this.running) {
      this.logger.log(
        'Cleanup skipped: a run is already in progress in this process.',
      );
      return skipped(mode, 'already-running');
    }
    this.running = true;
    this.current = this.runLocked(this.store, this.lock, mode, batchSize);
    try {
      return await this.current;
    } finally {
      this.running = false;
      this.current = undefined;
    }
  }

  /** How many sessions are expired now, by the database's clock. */
  async countExpired(): Promise<number> {
    if (!(this.store instanceof TypeOrmSessionStore)) {
      return 0;
    }
    const { table, expire } = this.store.table;
    const [row] = await this.store.dataSource.query<{ count: string }[]>(
      `SELECT count(*)::text AS count FROM ${table} WHERE ${expire} < now()`,
    );
    return Number(row.count);
  }

  /** Lets a run in progress finish its batch, then stop, before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.current?.catch(() => undefined);
  }

  private async runLocked(
    store: TypeOrmSessionStore,
    lock: CleanupLock,
    mode: SessionsCleanupMode,
    batchSize: number,
  ): Promise<CleanupResult> {
    const started = performance.now();
    const runner = store.dataSource.createQueryRunner();
    await runner.connect();
    try {
      if (!(await lock.tryAcquire(runner))) {
        this.logger.log(
          'Cleanup skipped: another instance is purging expired sessions (it holds the cleanup lock).',
        );
        return skipped(mode, 'locked');
      }
      const progress: RunProgress = { deleted: 0, batches: 0 };
      try {
        const batches: CleanupBatches =
          mode === 'raw'
            ? new RawCleanupBatches(
                store.table,
                batchSize,
                this.expired.hasHandlers,
              )
            : new EventsCleanupBatches(store, batchSize);
        // A batch lost in a crash is only redone by the next run, so
        // commits need not wait for the disk.
        await runner.query('SET synchronous_commit = off');
        let done = false;
        while (!done && !this.stopping) {
          const batch = await this.deleteBatch(runner, batches, mode);
          done = batch.done;
          progress.deleted += batch.deleted;
          progress.batches += batch.deleted > 0 ? 1 : 0;
        }
      } catch (error) {
        this.logFailure(mode, progress, error);
        throw error;
      } finally {
        // On a broken connection the lock and the setting went with it.
        await runner.query('RESET synchronous_commit').catch(() => undefined);
        await lock.release(runner).catch(() => undefined);
      }
      const result: CleanupResult = {
        ...progress,
        durationMs: Math.round(performance.now() - started),
        mode,
        skipped: null,
      };
      this.logger.log(
        `Cleanup (${mode}): deleted ${result.deleted} expired sessions in ` +
          `${plural(result.batches, 'batch', 'batches')}, ${result.durationMs} ms` +
          (this.stopping ? ', stopped early for shutdown.' : '.'),
      );
      return result;
    } finally {
      await runner.release();
    }
  }

  /**
   * One batch, in a transaction with the handlers when there are any. A raw
   * batch with no handler is a single DELETE, a transaction of its own.
   */
  private async deleteBatch(
    runner: QueryRunner,
    batches: CleanupBatches,
    mode: SessionsCleanupMode,
  ): Promise<CleanupBatch> {
    if (mode === 'raw' && !this.expired.hasHandlers) {
      return batches.deleteNext(runner);
    }
    await runner.startTransaction();
    try {
      const batch = await batches.deleteNext(runner);
      if (batch.deleted > 0 && this.expired.hasHandlers) {
        await this.expired.notify({
          keys: batch.keys,
          manager: runner.manager,
        });
      }
      await runner.commitTransaction();
      return batch;
    } catch (error) {
      // A failed rollback means a broken connection: the batch is undone either way.
      await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    }
  }

  private logFailure(
    mode: SessionsCleanupMode,
    { deleted, batches }: RunProgress,
    error: unknown,
  ): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.error(
      `Cleanup (${mode}) failed after ${plural(batches, 'batch', 'batches')} ` +
        `(${deleted} expired sessions deleted); the failed batch was rolled back ` +
        `and its sessions stay for the next run: ${reason}`,
      error instanceof Error ? error.stack : undefined,
    );
  }
}

function checkRunOptions(mode: unknown, batchSize: unknown): void {
  if (mode !== 'raw' && mode !== 'events') {
    throw new SessionsError(
      `CleanupService.run(): 'mode' must be 'raw' or 'events', got ${JSON.stringify(mode)}.`,
    );
  }
  if (!isBatchSize(batchSize)) {
    throw new SessionsError(
      `CleanupService.run(): 'batchSize' must be a whole number from 1 to 100000, got ${JSON.stringify(batchSize)}.`,
    );
  }
}

function skipped(
  mode: SessionsCleanupMode,
  reason: CleanupSkipReason,
): CleanupResult {
  return { deleted: 0, batches: 0, durationMs: 0, mode, skipped: reason };
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
