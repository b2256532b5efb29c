import {
  type BeforeApplicationShutdown,
  Inject,
  type OnApplicationBootstrap,
  Injectable,
  Logger,
} from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { CleanupConflictError } from '../errors/cleanup-conflict.error.js';
import { SessionsError } from '../errors/sessions.error.js';
import type { ResolvedSessionsOptions } from '../options/resolve-options.js';
import {
  isBatchSize,
  isCleanupMode,
  MAX_CLEANUP_BATCH_SIZE,
} from '../options/resolve-cleanup-options.js';
import type { SessionsCleanupMode } from '../options/sessions-module-options.interface.js';
import {
  SESSIONS_LOGGER_CONTEXT,
  SESSIONS_OPTIONS,
} from '../sessions.constants.js';
import { withDeadline } from '../stores/deadline.js';
import { SessionStore } from '../stores/session.store.js';
import type { SessionTable } from '../stores/session-table.js';
import type {
  CleanupBatch,
  CleanupBatches,
} from './cleanup-batches.interface.js';
import { CleanupLock } from './cleanup-lock.js';
import {
  type CleanupMetrics,
  CleanupRunCounts,
  type ExpiredBacklog,
} from './cleanup-metrics.js';
import type {
  CleanupResult,
  CleanupRunOptions,
  CleanupSkipReason,
} from './cleanup-result.interface.js';
import { EventsCleanupBatches } from './events-cleanup-batches.js';
import { ExpiredKeysOutbox, type OutboxEntry } from './expired-keys-outbox.js';
import {
  clientOf,
  connectRunner,
  releaseRunner,
} from './query-runner-client.js';
import { RawCleanupBatches } from './raw-cleanup-batches.js';
import { SessionsExpiredExplorer } from './sessions-expired.explorer.js';
import { SESSIONS_MESSAGES } from '../errors/sessions.messages.js';

/** Tries of a batch whose sessions other transactions keep changing under it. */
const MAX_BATCH_ATTEMPTS = 3;

/**
 * How long the app's shutdown waits for a running batch (a batch takes well
 * under a second; one waiting on a row lock could wait forever): past it, the
 * batch's statement is canceled, and its transaction rolls back.
 */
const SHUTDOWN_WAIT_MS = 5000;

/** How far a run got, for its result and for its log line when it fails. */
interface RunProgress {
  deleted: number;
  batches: number;
  /** It stopped before the last batch, because the app is shutting down. */
  stoppedEarly?: boolean;
  /** Batches whose `@AfterSessionsExpired()` work failed; they wait in the outbox. */
  afterCommitFailures: number;
  /** Batches of earlier runs whose after-commit work this run finished. */
  afterCommitRecovered: number;
}

/** A batch that committed, with its outbox entry when it has one. */
interface CommittedBatch extends CleanupBatch {
  readonly outboxId?: string;
}

/** A run's connection, its outbox (with `@AfterSessionsExpired()` methods) and its progress. */
interface Run {
  readonly runner: QueryRunner;
  readonly outbox: ExpiredKeysOutbox | undefined;
  readonly progress: RunProgress;
}

/**
 * Deletes expired sessions from the `'db'` store's table, in short batches,
 * one instance at a time (a PostgreSQL advisory lock). The nightly cron job
 * calls `run()`; so does `clearsessions`; an app may call it too.
 */
@Injectable()
export class CleanupService
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(SESSIONS_LOGGER_CONTEXT);
  private current: Promise<CleanupResult> | undefined;
  private stopping = false;
  private readonly counts = new CleanupRunCounts();
  /** The database backend of the run in progress, to cancel its statement at shutdown. */
  private backend: { table: SessionTable; pid: number } | undefined;

  /** @internal Made by Nest's injector. */
  constructor(
    private readonly store: SessionStore,
    @Inject(SESSIONS_OPTIONS)
    private readonly options: ResolvedSessionsOptions,
    private readonly expired: SessionsExpiredExplorer,
  ) {}

  /** False when the store's sessions leave it by themselves when they expire: there is nothing to purge. */
  get hasExpiredToPurge(): boolean {
    return !this.store.expiresByItself;
  }

  /**
   * Deletes every session expired by the database's clock, `batchSize` at a
   * time, each batch its own transaction, and calls the
   * `@OnSessionsExpired()` handlers once per batch. Resolves with what it did,
   * or with `skipped` set when it did nothing (a run going on here or in
   * another instance, a store whose sessions expire by themselves, the app
   * shutting down). Rejects, after logging, if a batch fails: that batch is
   * rolled back.
   *
   * A store outside the database (`'file'`, the app's own) purges with its
   * `clearExpired()`, in one batch, without handlers.
   */
  async run(options: CleanupRunOptions = {}): Promise<CleanupResult> {
    const mode = options.mode ?? this.options.cleanup.mode;
    const batchSize = options.batchSize ?? this.options.cleanup.batchSize;
    checkRunOptions(mode, batchSize);
    const startedAt = new Date();
    const progress: RunProgress = {
      deleted: 0,
      batches: 0,
      afterCommitFailures: 0,
      afterCommitRecovered: 0,
    };
    try {
      const result = await this.runOnce(mode, batchSize, progress);
      this.counts.recordResult(startedAt, result);
      return result;
    } catch (error) {
      this.counts.recordFailure(startedAt, mode, progress);
      throw error;
    }
  }

  /** One run, or the reason it is skipped. */
  private async runOnce(
    mode: SessionsCleanupMode,
    batchSize: number,
    progress: RunProgress,
  ): Promise<CleanupResult> {
    if (this.store.expiresByItself) {
      this.logger.log(
        `Cleanup skipped: the ${this.store.constructor.name}'s sessions expire by themselves; there is nothing to purge.`,
      );
      return skipped(mode, 'expires-by-itself');
    }
    if (this.stopping) {
      this.logger.log('Cleanup skipped: the app is shutting down.');
      return skipped(mode, 'shutting-down');
    }
    if (this.current) {
      this.logger.log(
        'Cleanup skipped: a run is already in progress in this process.',
      );
      return skipped(mode, 'already-running');
    }
    const table = this.store.sessionTable;
    this.current = table
      ? this.runLocked(table, mode, batchSize, progress)
      : this.clearExpired(mode, progress);
    try {
      return await this.current;
    } finally {
      this.current = undefined;
    }
  }

  /**
   * What the cleanup did in this process (runs, failures, sessions deleted,
   * the last run) and the expired sessions waiting in the store, for an app
   * to export; see `CleanupMetrics`.
   */
  async metrics(): Promise<CleanupMetrics> {
    return this.counts.metrics(await this.expiredBacklog());
  }

  /**
   * How many sessions are expired now, by the database's clock; `undefined`
   * for a store outside the database, which cannot tell without purging.
   */
  async countExpired(): Promise<number | undefined> {
    return (await this.expiredBacklog()).count;
  }

  /**
   * @internal Seconds the longest-waiting expired session has waited (0 when
   * none waits), by the database's clock: one step along the `expire_date`
   * index, cheap enough for a health check every few seconds, unlike the
   * count of `metrics()`. `undefined` for a store outside the database.
   */
  async oldestExpiredSeconds(): Promise<number | undefined> {
    return (await this.expiredBacklog(false)).oldestSeconds;
  }

  /** The expired sessions in the store (with their count if `counted`), by the database's clock. */
  private async expiredBacklog(counted = true): Promise<ExpiredBacklog> {
    const sessionTable = this.store.sessionTable;
    if (sessionTable === undefined) {
      const none = this.store.expiresByItself ? 0 : undefined;
      return { count: none, oldestSeconds: none };
    }
    const { table, expire } = sessionTable.names;
    const [row] = await sessionTable.dataSource.query<
      { count: string | null; oldest: number | null }[]
    >(
      `SELECT ${counted ? 'count(*)::text' : 'NULL'} AS count, ` +
        `extract(epoch FROM now() - min(${expire}))::float8 AS oldest ` +
        `FROM ${table} WHERE ${expire} < now()`,
    );
    return {
      count: row.count === null ? undefined : Number(row.count),
      oldestSeconds: Math.floor(row.oldest ?? 0),
    };
  }

  /** Says, once, that `@OnSessionsExpired()` and `@AfterSessionsExpired()` handlers will not be called by this store. */
  onApplicationBootstrap(): void {
    const hasHandlers =
      this.expired.hasHandlers || this.expired.hasAfterCommitHandlers;
    if (hasHandlers && this.store.sessionTable === undefined) {
      this.logger.warn(
        `@OnSessionsExpired() and @AfterSessionsExpired() handlers are not called with the ${this.store.constructor.name}: ` +
          `they get the keys of the expired sessions the cleanup deletes from the database, ` +
          `with the 'db' and 'cached_db' stores only.`,
      );
    }
  }

  /**
   * Lets a run in progress finish its batch, then stop, before the database
   * closes; cancels the batch's statement if it is still running after
   * `SHUTDOWN_WAIT_MS` (it rolls back, and its sessions stay for the next run).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    const current = this.current?.catch(() => undefined);
    if (current === undefined) {
      return;
    }
    const finished = await withDeadline(
      current,
      SHUTDOWN_WAIT_MS,
      () => new Error('cleanup still running'),
    ).then(
      () => true,
      () => false,
    );
    const backend = this.backend;
    if (!finished && backend !== undefined) {
      this.logger.warn(
        `Cleanup still running ${SHUTDOWN_WAIT_MS} ms into the shutdown: canceling its batch, which rolls back.`,
      );
      await backend.table.dataSource
        .query('SELECT pg_cancel_backend($1)', [backend.pid])
        .catch(() => undefined);
    }
    await current;
  }

  /** A run of a store outside the database: its own `clearExpired()`. */
  private async clearExpired(
    mode: SessionsCleanupMode,
    progress: RunProgress,
  ): Promise<CleanupResult> {
    const started = performance.now();
    let deleted: number;
    try {
      deleted = await this.store.clearExpired();
    } catch (error) {
      this.logFailure(mode, progress, error);
      throw error;
    }
    return this.finished({
      deleted,
      batches: deleted > 0 ? 1 : 0,
      stoppedEarly: false,
      afterCommitFailures: 0,
      afterCommitRecovered: 0,
      durationMs: Math.round(performance.now() - started),
      mode,
      skipped: null,
    });
  }

  private async runLocked(
    sessionTable: SessionTable,
    mode: SessionsCleanupMode,
    batchSize: number,
    progress: RunProgress,
  ): Promise<CleanupResult> {
    const started = performance.now();
    const lock = new CleanupLock(sessionTable.names.table);
    const runner = sessionTable.dataSource.createQueryRunner();
    let locked = false;
    let failure: unknown;
    try {
      await connectRunner(runner);
      if (!(await lock.tryAcquire(clientOf(runner)))) {
        this.logger.log(
          'Cleanup skipped: another instance is purging expired sessions (it holds the cleanup lock).',
        );
        return skipped(mode, 'locked');
      }
      locked = true;
      const { rows } = await clientOf(runner).query<{ pid: number }>(
        'SELECT pg_backend_pid() AS pid',
      );
      this.backend = { table: sessionTable, pid: rows[0].pid };
      const run: Run = {
        runner,
        outbox: this.expired.hasAfterCommitHandlers
          ? new ExpiredKeysOutbox(sessionTable)
          : undefined,
        progress,
      };
      try {
        await this.finishOutbox(run);
        await this.deleteBatches(run, sessionTable, mode, batchSize);
      } finally {
        this.logAfterCommitFailures(progress);
      }
      await lock.release(clientOf(runner));
    } catch (error) {
      failure = error;
      this.logFailure(mode, progress, error);
      // Closing the connection frees the lock too, but only once the server
      // has ended its backend: a run starting at once could still find it held.
      if (locked) {
        await lock.release(clientOf(runner)).catch(() => undefined);
      }
      throw error;
    } finally {
      this.backend = undefined;
      await releaseRunner(runner, failure);
    }
    return this.finished({
      ...progress,
      stoppedEarly: progress.stoppedEarly ?? false,
      durationMs: Math.round(performance.now() - started),
      mode,
      skipped: null,
    });
  }

  /** Logs what a run did, and gives it back. */
  private finished(result: CleanupResult): CleanupResult {
    const afterCommit = [
      result.afterCommitRecovered > 0
        ? `finished the after-commit work of ${plural(result.afterCommitRecovered, 'earlier batch', 'earlier batches')}`
        : '',
      result.afterCommitFailures > 0
        ? `${plural(result.afterCommitFailures, 'batch', 'batches')} left in the outbox`
        : '',
    ].filter(Boolean);
    this.logger.log(
      `Cleanup (${result.mode}): deleted ${result.deleted} expired sessions in ` +
        `${plural(result.batches, 'batch', 'batches')}, ${result.durationMs} ms` +
        (afterCommit.length > 0 ? `; ${afterCommit.join('; ')}` : '') +
        (result.stoppedEarly ? ', stopped early for shutdown.' : '.'),
    );
    return result;
  }

  /**
   * Does the after-commit work that earlier runs left in the outbox (a crash
   * after a commit, a handler that threw), oldest first, before deleting
   * anything new.
   */
  private async finishOutbox(run: Run): Promise<void> {
    const { outbox, runner } = run;
    if (outbox === undefined) {
      return;
    }
    let afterId: string | null = null;
    for (
      let entry = await outbox.next(runner, afterId);
      entry !== undefined && !this.stopping;
      entry = await outbox.next(runner, afterId)
    ) {
      afterId = entry.id;
      if (await this.afterCommit(run, outbox, entry)) {
        run.progress.afterCommitRecovered += 1;
      }
    }
  }

  /**
   * Calls the `@AfterSessionsExpired()` methods with a committed batch's
   * keys, then takes them out of the outbox. A method that throws leaves
   * them there for the next run: it is logged (the first of the run in full,
   * the others counted) and the run goes on. False when it failed.
   */
  private async afterCommit(
    { runner, progress }: Run,
    outbox: ExpiredKeysOutbox,
    entry: OutboxEntry,
  ): Promise<boolean> {
    try {
      await this.expired.notifyAfterCommit({ keys: entry.keys });
    } catch (error) {
      progress.afterCommitFailures += 1;
      if (progress.afterCommitFailures === 1) {
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.error(
          SESSIONS_MESSAGES.afterCommitFailed(entry.keys.length, reason),
          error instanceof Error ? error.stack : undefined,
        );
      }
      return false;
    }
    await outbox.remove(runner, entry.id);
    return true;
  }

  /** The one line that sums up a run's after-commit failures, past the first (logged in full). */
  private logAfterCommitFailures({ afterCommitFailures }: RunProgress): void {
    if (afterCommitFailures > 1) {
      this.logger.error(
        SESSIONS_MESSAGES.afterCommitFailedAgain(afterCommitFailures),
      );
    }
  }

  /** The run's batches, in `mode`, from first to last; then lets them go. */
  private async deleteBatches(
    run: Run,
    sessionTable: SessionTable,
    mode: SessionsCleanupMode,
    batchSize: number,
  ): Promise<void> {
    const batches: CleanupBatches =
      mode === 'raw'
        ? await RawCleanupBatches.open(
            sessionTable,
            batchSize,
            this.expired.hasHandlers || run.outbox !== undefined,
          )
        : await EventsCleanupBatches.open(sessionTable, batchSize, run.runner);
    try {
      await this.deleteEach(run, batches, mode);
    } catch (error) {
      await batches.close(error);
      throw error;
    }
    await batches.close();
  }

  /** Batch after batch until none is left or the app shuts down. */
  private async deleteEach(
    run: Run,
    batches: CleanupBatches,
    mode: SessionsCleanupMode,
  ): Promise<void> {
    const { runner, progress } = run;
    // With no handler, nothing outside the database depends on a raw batch:
    // one lost in a crash is only redone by the next run, so its commit need
    // not wait for the disk. (After a failure the connection is closed, not
    // returned to the pool with this setting.)
    const alone =
      mode === 'raw' && !this.expired.hasHandlers && run.outbox === undefined;
    if (alone) {
      await clientOf(runner).query('SET synchronous_commit = off');
    }
    let done = false;
    while (!done && !this.stopping) {
      const batch: CommittedBatch = alone
        ? await batches.deleteNext(runner)
        : await this.deleteInTransaction(run, batches);
      done = batch.done;
      progress.deleted += batch.deleted;
      progress.batches += batch.deleted > 0 ? 1 : 0;
      if (batch.outboxId !== undefined && run.outbox !== undefined) {
        await this.afterCommit(run, run.outbox, {
          id: batch.outboxId,
          keys: batch.keys,
        });
      }
    }
    progress.stoppedEarly = !done;
    if (alone) {
      await clientOf(runner).query('RESET synchronous_commit');
    }
  }

  /** One batch in a transaction, done again while it conflicts with other transactions. */
  private async deleteInTransaction(
    run: Run,
    batches: CleanupBatches,
  ): Promise<CommittedBatch> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deleteOnce(run, batches);
      } catch (error) {
        if (
          !(error instanceof CleanupConflictError) ||
          attempt === MAX_BATCH_ATTEMPTS
        ) {
          throw error;
        }
      }
    }
  }

  /**
   * The keys the handlers get: as the store keeps them, which with
   * `hashKeys` is their hash, also for a session that expired under its
   * plain key before `'migrate'` re-keyed it (keys have 8 to 40 characters,
   * hashes 64).
   */
  private handlersKeys(keys: readonly string[]): readonly string[] {
    return this.store.hashesKeys
      ? keys.map((key) =>
          key.length === 64 ? key : this.store.storedKeyOf(key),
        )
      : keys;
  }

  /** One batch in a transaction, with the handlers, and its keys in the outbox. */
  private async deleteOnce(
    { runner, outbox }: Run,
    batches: CleanupBatches,
  ): Promise<CommittedBatch> {
    await runner.startTransaction(batches.isolation);
    try {
      const deleted = await batches.deleteNext(runner);
      const batch = { ...deleted, keys: this.handlersKeys(deleted.keys) };
      if (batch.deleted > 0 && this.expired.hasHandlers) {
        await this.expired.notify({
          keys: batch.keys,
          manager: runner.manager,
        });
      }
      const outboxId =
        batch.deleted > 0 && outbox !== undefined
          ? await outbox.add(runner, batch.keys)
          : undefined;
      await runner.commitTransaction();
      return { ...batch, outboxId };
    } catch (error) {
      // The connection is closed after a failure, which ends the transaction
      // anyway; rolling back first releases the rows' locks at once.
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
        `(${deleted} expired sessions deleted); the sessions left stay for the next run: ${reason}`,
      error instanceof Error ? error.stack : undefined,
    );
  }
}

function checkRunOptions(mode: unknown, batchSize: unknown): void {
  if (!isCleanupMode(mode)) {
    throw new SessionsError(
      SESSIONS_MESSAGES.cleanupMode(JSON.stringify(mode)),
    );
  }
  if (!isBatchSize(batchSize)) {
    throw new SessionsError(
      SESSIONS_MESSAGES.cleanupBatchSize(
        MAX_CLEANUP_BATCH_SIZE,
        JSON.stringify(batchSize),
      ),
    );
  }
}

function skipped(
  mode: SessionsCleanupMode,
  reason: CleanupSkipReason,
): CleanupResult {
  return {
    deleted: 0,
    batches: 0,
    durationMs: 0,
    mode,
    skipped: reason,
    stoppedEarly: false,
    afterCommitFailures: 0,
    afterCommitRecovered: 0,
  };
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
