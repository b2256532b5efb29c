import type { QueryRunner } from 'typeorm';
import type { SessionTableNames } from '../stores/session-table.util.js';
import type {
  CleanupBatch,
  CleanupBatches,
} from './cleanup-batches.interface.js';

/**
 * `mode: 'raw'`: each batch is a range of the `expire_date` index, from where
 * the last batch stopped to the expiry of the first row past `batchSize`.
 * One index probe finds that bound; one DELETE takes the range, re-checking
 * expiry on each row it deletes. Nothing is loaded but the bound (and the
 * keys, when a handler wants them); no entity event fires.
 *
 * Deleting a range costs what the single bulk DELETE costs per row, where
 * picking rows by address or key costs two to three times as much.
 */
export class RawCleanupBatches implements CleanupBatches {
  /** Where the next batch starts (inclusive), as PostgreSQL prints it: exact to the microsecond. */
  private cursor = '-infinity';
  private readonly boundSql: string;
  private readonly rangeSql: string;
  private readonly tiedSql: string;

  constructor(
    { table, key, expire }: SessionTableNames,
    private readonly batchSize: number,
    withKeys: boolean,
  ) {
    const returning = withKeys ? ` RETURNING ${key} AS key` : '';
    this.boundSql =
      `SELECT ${expire}::text AS bound FROM ${table} WHERE ${expire} < now() ` +
      `AND ${expire} >= $1::timestamptz ORDER BY ${expire} OFFSET $2 LIMIT 1`;
    this.rangeSql =
      `DELETE FROM ${table} WHERE ${expire} >= $1::timestamptz AND ${expire} < now() ` +
      `AND ($2::timestamptz IS NULL OR ${expire} < $2::timestamptz)${returning}`;
    // More than a batch of rows expire at the very same instant: take them
    // a batch at a time, by address.
    this.tiedSql =
      `DELETE FROM ${table} WHERE ctid = ANY (ARRAY(SELECT ctid FROM ${table} ` +
      `WHERE ${expire} = $1::timestamptz LIMIT $2)) AND ${expire} < now()${returning}`;
  }

  async deleteNext(runner: QueryRunner): Promise<CleanupBatch> {
    const [next] = (await runner.query(this.boundSql, [
      this.cursor,
      this.batchSize,
    ])) as { bound: string }[];
    const bound = next?.bound ?? null;
    const [rows, count] = (await runner.query(
      bound === this.cursor ? this.tiedSql : this.rangeSql,
      bound === this.cursor
        ? [this.cursor, this.batchSize]
        : [this.cursor, bound],
    )) as [{ key: string }[], number];
    this.cursor = bound ?? this.cursor;
    return {
      // No row past this batch: it was the last.
      done: bound === null,
      deleted: count,
      keys: rows.map((row) => row.key),
    };
  }
}
