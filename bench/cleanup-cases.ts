/**
 * The cases of `npm run bench:cleanup`, shared by the orchestrator
 * (`cleanup.ts`) and the child process that runs one case (`cleanup-case.ts`).
 */

/** One way to delete the expired sessions. */
export interface CleanupCase {
  /** Name on the child's command line. */
  readonly id: CaseId;
  /** Name in the report. */
  readonly label: string;
  /** The table holds N / scale expired (and as many live) rows for this case. */
  readonly scale: number;
}

export type CaseId =
  'floor' | 'raw' | 'raw-hook' | 'events' | 'naive' | 'visitors';

/** In the order each repetition runs them. */
export const CLEANUP_CASES: readonly CleanupCase[] = [
  { id: 'floor', label: 'floor', scale: 1 },
  { id: 'raw', label: 'raw', scale: 1 },
  { id: 'raw-hook', label: 'raw + hook', scale: 1 },
  { id: 'events', label: 'events', scale: 1 },
  { id: 'naive', label: 'naive', scale: 10 },
  // The demo's login-free data: each session owns a note, an upload row and
  // a file, removed by its @OnSessionsExpired() and @AfterSessionsExpired().
  { id: 'visitors', label: 'raw + rows + files', scale: 10 },
];

/** Where the `visitors` case keeps its files (`UPLOADS_PATH` of its process). */
export const BENCH_UPLOADS = '.data/bench-uploads';

/** What the child prints, as one JSON line, after running its case once. */
export interface CaseResult {
  readonly id: CaseId;
  /** Rows the case deleted, by its own count. */
  readonly deleted: number;
  /** Wall time of the deletion alone (not the app's boot), in milliseconds. */
  readonly totalMs: number;
  /** SQL statements sent during the deletion. */
  readonly statements: number;
  /** The slowest of them, from send to result, in milliseconds. */
  readonly longestStatementMs: number;
  /** The first words of that statement's SQL. */
  readonly longestStatement: string;
  /** Peak resident memory of the child process, in MB. */
  readonly peakRssMb: number;
  /** The same peak just before the deletion started: what booting the app took. */
  readonly bootRssMb: number;
  /** How far resident memory rose above its level at the start of the deletion (sampled), in MB. */
  readonly deletionRssGrowthMb: number;
  /** The heap in use once the deletion is done (after a full GC when run with `--expose-gc`), in MB. */
  readonly heapAfterMb: number;
  /** `beforeRemove` / `afterRemove` calls the counting subscriber saw. */
  readonly beforeRemove: number;
  readonly afterRemove: number;
  /** Keys the `@OnSessionsExpired()` handler received (the `raw-hook` case). */
  readonly hookKeys: number;
}
