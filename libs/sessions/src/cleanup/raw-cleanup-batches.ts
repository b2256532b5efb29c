import type { QueryRunner } from 'typeorm';
import type { SessionTableNames } from '../stores/session-table.util.js';
import type {
  CleanupBatch,
  CleanupBatches,
} from './cleanup-batches.interface.js';
import { clientOf } from './query-runner-client.util.js';

/** A timestamp as exact ISO 8601 text, whatever the connection's `DateStyle`. */
const iso = (expression: string): string => `to_json(${expression}) #>> '{}'`;

/**
 * `mode: 'raw'`: each batch is a range of the `expire_date` index, from where
 * the last batch stopped to the expiry of the first row past `batchSize` (or
 * to now, for the last batch). One index probe finds that bound; one DELETE
 * takes the range, re-checking expiry on each row it deletes. Nothing is
 * loaded but the bound (and the keys, when a handler wants them); no entity
 * event fires.
 *
 * Deleting a range costs about what the single bulk DELETE costs per row;
 * picking rows one by one, by address or key, costs two to three times more.
 */
export class RawCleanupBatches implements CleanupBatches {
  /** Where the next batch starts (inclusive), exact to the microsecond. */
  private cursor = '-infinity';
  private readonly probeSql: string;
  private readonly rangeSql: string;
  private readonly tiedSql: string;

  constructor(
    { table, key, expire }: SessionTableNames,
    private readonly batchSize: number,
    withKeys: boolean,
  ) {
    const returning = withKeys ? ` RETURNING ${key} AS key` : '';
    const nextBound =
      `SELECT ${expire} FROM ${table} WHERE ${expire} >= $1::timestamptz ` +
      `AND ${expire} < now() ORDER BY ${expire} OFFSET $2 LIMIT 1`;
    // The bound becomes text once, outside the scan: inside, the conversion
    // would run for each of the `batchSize` rows it skips.
    this.probeSql = `SELECT ${iso(`(${nextBound})`)} AS bound, ${iso('now()')} AS now`;
    this.rangeSql =
      `DELETE FROM ${table} WHERE ${expire} >= $1::timestamptz AND ${expire} < $2::timestamptz ` +
      `AND ${expire} < now()${returning}`;
    // More than a batch of rows expire at the very same instant: take them
    // a batch at a time, by key (a row updated meanwhile keeps its key).
    this.tiedSql =
      `DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} ` +
      `WHERE ${expire} = $1::timestamptz LIMIT $2) AND ${expire} < now()${returning}`;
  }

  async deleteNext(runner: QueryRunner): Promise<CleanupBatch> {
    const client = clientOf(runner);
    const probe = await client.query<{ bound: string | null; now: string }>(
      this.probeSql,
      [this.cursor, this.batchSize],
    );
    const { bound, now } = probe.rows[0];
    const tied = bound === this.cursor;
    const deleted = await client.query<{ key: string }>(
      tied ? this.tiedSql : this.rangeSql,
      // The last batch stops at the probe's now: at most `batchSize` rows.
      tied ? [this.cursor, this.batchSize] : [this.cursor, bound ?? now],
    );
    const count = deleted.rowCount ?? 0;
    this.cursor = bound ?? this.cursor;
    return {
      // No row past this batch: it was the last.
      done: bound === null,
      deleted: count,
      keys: deleted.rows.map((row) => row.key),
    };
  }
}
