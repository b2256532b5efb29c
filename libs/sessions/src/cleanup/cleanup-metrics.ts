import type { SessionsCleanupMode } from '../options/sessions-module-options.interface.js';
import type { CleanupResult } from './cleanup-result.interface.js';

/** One cleanup run that ended, done or failed. */
export interface CleanupRunRecord {
  /** When it started. */
  readonly startedAt: Date;
  /** Wall time, in milliseconds. */
  readonly durationMs: number;
  /** Expired sessions it deleted (before failing, if it failed). */
  readonly deleted: number;
  /** Batches that deleted at least one session. */
  readonly batches: number;
  readonly mode: SessionsCleanupMode;
  /** True when a batch failed and the run stopped there. */
  readonly failed: boolean;
}

/**
 * What the cleanup did in this process, and what waits for it in the store
 * (`CleanupService.metrics()`), for an app to export (e.g. to Prometheus).
 *
 * The counts are this process's: with several instances, the one that holds
 * the cleanup lock runs and the others skip, so add them up (or take the
 * latest `lastSuccessAt`) across instances. The backlog comes from the
 * database and is the same for all.
 */
export interface CleanupMetrics {
  /** Runs that ended (done or failed) since the app started; skipped runs are not counted. */
  readonly runs: number;
  /** Runs that failed. */
  readonly failures: number;
  /** Runs that did nothing: another instance held the lock, one was running already, the app was closing. */
  readonly skipped: number;
  /** Expired sessions deleted by all runs since the app started. */
  readonly deletedTotal: number;
  /**
   * Batches whose `@AfterSessionsExpired()` work failed, in all runs since
   * the app started (each is tried again by the next run, and counted again
   * if it fails again).
   */
  readonly afterCommitFailures: number;
  /** The last run that ended, or `null` before the first. */
  readonly lastRun: CleanupRunRecord | null;
  /** When the last run that did not fail ended, or `null`. */
  readonly lastSuccessAt: Date | null;
  /**
   * The expired sessions waiting to be purged, by the database's clock;
   * `undefined` for a store that cannot count them (`'file'`, a custom
   * store), 0 for one whose sessions expire by themselves.
   */
  readonly expiredBacklog: number | undefined;
  /**
   * Seconds since the longest-waiting expired session expired (0 when none
   * waits): more than a day with the nightly cron means the purge is not
   * running. `undefined` when `expiredBacklog` is.
   */
  readonly oldestExpiredSeconds: number | undefined;
}

/** The expired sessions waiting in the store: how many, and for how long the oldest. */
export interface ExpiredBacklog {
  readonly count: number | undefined;
  readonly oldestSeconds: number | undefined;
}

/** The counts of `CleanupMetrics`, as `CleanupService` records its runs. */
export class CleanupRunCounts {
  private runs = 0;
  private failures = 0;
  private skipped = 0;
  private deletedTotal = 0;
  private afterCommitFailures = 0;
  private lastRun: CleanupRunRecord | null = null;
  private lastSuccessAt: Date | null = null;

  /** A run that resolved: it ran, or it was skipped. */
  recordResult(startedAt: Date, result: CleanupResult): void {
    if (result.skipped !== null) {
      this.skipped += 1;
      return;
    }
    this.afterCommitFailures += result.afterCommitFailures;
    const { durationMs, deleted, batches, mode } = result;
    this.record({
      startedAt,
      durationMs,
      deleted,
      batches,
      mode,
      failed: false,
    });
  }

  /** A run that failed, after deleting what `progress` counts. */
  recordFailure(
    startedAt: Date,
    mode: SessionsCleanupMode,
    progress: {
      readonly deleted: number;
      readonly batches: number;
      readonly afterCommitFailures: number;
    },
  ): void {
    this.afterCommitFailures += progress.afterCommitFailures;
    this.record({
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
      deleted: progress.deleted,
      batches: progress.batches,
      mode,
      failed: true,
    });
  }

  private record(run: CleanupRunRecord): void {
    this.runs += 1;
    this.deletedTotal += run.deleted;
    this.lastRun = run;
    if (run.failed) {
      this.failures += 1;
    } else {
      this.lastSuccessAt = new Date(run.startedAt.getTime() + run.durationMs);
    }
  }

  /** The counts, with the store's backlog. */
  metrics(backlog: ExpiredBacklog): CleanupMetrics {
    return {
      runs: this.runs,
      failures: this.failures,
      skipped: this.skipped,
      deletedTotal: this.deletedTotal,
      afterCommitFailures: this.afterCommitFailures,
      lastRun: this.lastRun,
      lastSuccessAt: this.lastSuccessAt,
      expiredBacklog: backlog.count,
      oldestExpiredSeconds: backlog.oldestSeconds,
    };
  }
}
