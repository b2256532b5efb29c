import type { QueryRunner } from 'typeorm';
import type { SessionTableNames } from '../stores/session-table.util.js';
import type {
  CleanupBatch,
  CleanupBatches,
} from './cleanup-batches.interface.js';

interface RawBatchRow {
  candidates: number;
  cursor: string | null;
  deleted: number;
  keys: string[] | null;
}

/**
 * `mode: 'raw'`: one statement per batch picks the next `batchSize` expired
 * rows along the `expire_date` index, from where the last batch stopped, and
 * deletes them, re-checking expiry on each row it deletes. Nothing is loaded
 * but counts (and keys, when a handler wants them); no entity event fires.
 */
export class RawCleanupBatches implements CleanupBatches {
  /** The latest `expire_date` picked so far, as PostgreSQL prints it (exact to the microsecond). */
  private cursor = '-infinity';
  private readonly sql: string;

  constructor(
    { table, key, expire }: SessionTableNames,
    private readonly batchSize: number,
    withKeys: boolean,
  ) {
    // `>=`: rows that share the cursor's instant but did not fit in the last
    // batch are picked by the next one.
    this.sql =
      `WITH batch AS (SELECT ctid, ${expire} AS expire FROM ${table} ` +
      `WHERE ${expire} < now() AND ${expire} >= $1::timestamptz ORDER BY ${expire} LIMIT $2), ` +
      `deleted AS (DELETE FROM ${table} AS s USING batch WHERE s.ctid = batch.ctid ` +
      `AND s.${expire} < now() RETURNING s.${key} AS key) ` +
      `SELECT (SELECT count(*)::int FROM batch) AS candidates, ` +
      `(SELECT max(expire)::text FROM batch) AS cursor, ` +
      `(SELECT count(*)::int FROM deleted) AS deleted, ` +
      (withKeys ? `(SELECT array_agg(key) FROM deleted)` : 'NULL') +
      ` AS keys`;
  }

  async deleteNext(runner: QueryRunner): Promise<CleanupBatch> {
    const [row] = (await runner.query(this.sql, [
      this.cursor,
      this.batchSize,
    ])) as RawBatchRow[];
    this.cursor = row.cursor ?? this.cursor;
    return {
      candidates: row.candidates,
      deleted: row.deleted,
      keys: row.keys ?? [],
    };
  }
}
