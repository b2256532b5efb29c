import type { SessionsCleanupMode } from '../options/sessions-module-options.interface.js';

/**
 * Why a cleanup run did nothing:
 * - `'already-running'`: a run is in progress in this process;
 * - `'locked'`: another instance (or process) holds the cleanup lock;
 * - `'expires-by-itself'`: the store's sessions leave it by themselves when
 *   they expire (a cache's TTL, a signed cookie): there is nothing to purge;
 * - `'shutting-down'`: the app is closing.
 */
export type CleanupSkipReason =
  'already-running' | 'locked' | 'expires-by-itself' | 'shutting-down';

/** What a cleanup run did (`CleanupService.run()`). */
export interface CleanupResult {
  /** Expired sessions deleted. */
  readonly deleted: number;
  /** Batches that deleted at least one session, each its own transaction. */
  readonly batches: number;
  /** Wall time of the run, in milliseconds. */
  readonly durationMs: number;
  /** How the sessions were deleted: `'raw'` (no entity events) or `'events'`. */
  readonly mode: SessionsCleanupMode;
  /** Why the run did nothing, or null when it ran. */
  readonly skipped: CleanupSkipReason | null;
  /**
   * True when the app began shutting down during the run: it stopped after
   * the batch it was on (committed), and the sessions left stay for the
   * next run.
   */
  readonly stoppedEarly: boolean;
  /**
   * Batches whose `@AfterSessionsExpired()` work failed in this run (a
   * handler threw): their sessions stay deleted, and their keys wait in the
   * outbox for the next run. Always 0 without such handlers.
   */
  readonly afterCommitFailures: number;
  /**
   * Batches of earlier runs whose `@AfterSessionsExpired()` work this run
   * finished, from the outbox (they had failed, or the process had died
   * between their commit and that work).
   */
  readonly afterCommitRecovered: number;
}

/** Options of one run; each defaults to the module's `cleanup` option. */
export interface CleanupRunOptions {
  /**
   * `'raw'` (no entity events) or `'events'`.
   * @default the module's `cleanup.mode` ('raw')
   */
  mode?: SessionsCleanupMode;
  /**
   * Sessions per statement, from 1 to 100000.
   * @default the module's `cleanup.batchSize` (5000)
   */
  batchSize?: number;
}
