import type { QueryRunner } from 'typeorm';

/** An isolation level, as `QueryRunner.startTransaction()` takes it. */
export type TransactionIsolation = Parameters<
  QueryRunner['startTransaction']
>[0];

/** What one batch of a cleanup run did. */
export interface CleanupBatch {
  /** True when no expired session is left past this batch. */
  readonly done: boolean;
  /** Sessions deleted: the candidates still expired when deleted. */
  readonly deleted: number;
  /** Keys of the deleted sessions, when asked for. */
  readonly keys: readonly string[];
}

/**
 * Deletes expired sessions batch by batch, each call inside the transaction
 * `runner` holds, moving along the `expire_date` index instead of scanning
 * it again from its start.
 */
export interface CleanupBatches {
  /** The isolation level of each batch's transaction; the data source's default when unset. */
  readonly isolation?: TransactionIsolation;
  deleteNext(runner: QueryRunner): Promise<CleanupBatch>;
  /** Lets go of what the batches hold of their own, after `failure` if any. */
  close(failure?: unknown): Promise<void>;
}
