import type { QueryRunner } from 'typeorm';
import type { SessionTableNames } from '../stores/session-table.js';
import type { SessionTable } from '../stores/session-table.js';
import type {
  CleanupBatch,
  CleanupBatches,
} from './cleanup-batches.interface.js';
import { isoText } from './iso-text.js';
import {
  clientOf,
  connectRunner,
  releaseRunner,
} from './query-runner-client.js';

/** The first expiry past a batch (null: none left) and the database's now, as ISO text. */
interface Probe {
  bound: string | null;
  now: string;
}

/**
 * `mode: 'raw'`: each batch is a range of the `expire_date` index, from where
 * the last batch stopped to the expiry of the first row past `batchSize` (or
 * to now, for the last batch). One index probe finds that bound, on a second
 * connection, while the previous batch deletes; one DELETE takes the range,
 * re-checking expiry on each row it deletes. Nothing is loaded but the bound
 * (and the keys, when a handler wants them); no entity event fires.
 *
 * Deleting a range costs about what the single bulk DELETE costs per row;
 * picking rows one by one, by address or key, costs two to three times more.
 */
export class RawCleanupBatches implements CleanupBatches {
  /** Where the next batch starts (inclusive), exact to the microsecond. */
  private cursor = '-infinity';
  /** The probe for the next batch, started while the last one deleted. */
  private nextProbe: Promise<Probe> | undefined;
  private readonly probeSql: string;
  private readonly rangeSql: string;
  private readonly tiedSql: string;

  private constructor(
    { table, key, expire }: SessionTableNames,
    private readonly batchSize: number,
    withKeys: boolean,
    /** A connection of its own for the index probes. */
    private readonly probeRunner: QueryRunner,
  ) {
    const returning = withKeys ? ` RETURNING ${key} AS key` : '';
    const nextBound =
      `SELECT ${expire} FROM ${table} WHERE ${expire} >= $1::timestamptz ` +
      `AND ${expire} < now() ORDER BY ${expire} OFFSET $2 LIMIT 1`;
    // The bound becomes text once, outside the scan: inside, the conversion
    // would run for each of the `batchSize` rows it skips.
    this.probeSql = `SELECT ${isoText(`(${nextBound})`)} AS bound, ${isoText('now()')} AS now`;
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
    const { bound, now } = await (this.nextProbe ?? this.probe(this.cursor));
    const tied = bound === this.cursor;
    // The next batch's probe reads the index past this batch, on its own
    // connection, while this batch deletes. After a tie, it counts rows this
    // batch deletes: its bound comes early, and the next batch is smaller.
    this.nextProbe = bound === null ? undefined : this.probe(bound);
    const deleted = await clientOf(runner).query<{ key: string }>(
      tied ? this.tiedSql : this.rangeSql,
      // The last batch stops at the probe's now: at most `batchSize` rows.
      tied ? [this.cursor, this.batchSize] : [this.cursor, bound ?? now],
    );
    this.cursor = bound ?? this.cursor;
    return {
      // No row past this batch: it was the last.
      done: bound === null,
      deleted: deleted.rowCount ?? 0,
      keys: deleted.rows.map((row) => row.key),
    };
  }

  /** Batches of `sessionTable`; `close()` them after the run. */
  static async open(
    sessionTable: SessionTable,
    batchSize: number,
    withKeys: boolean,
  ): Promise<RawCleanupBatches> {
    const probeRunner = sessionTable.dataSource.createQueryRunner();
    await connectRunner(probeRunner);
    return new RawCleanupBatches(
      sessionTable.names,
      batchSize,
      withKeys,
      probeRunner,
    );
  }

  /** Waits for a probe still running, then lets its connection go. */
  async close(failure?: unknown): Promise<void> {
    await this.nextProbe?.catch(() => undefined);
    this.nextProbe = undefined;
    await releaseRunner(this.probeRunner, failure);
  }

  private probe(from: string): Promise<Probe> {
    const probing = clientOf(this.probeRunner)
      .query<Probe>(this.probeSql, [from, this.batchSize])
      .then(({ rows }) => rows[0]);
    // Handled where it is awaited; this keeps an unawaited failure quiet.
    probing.catch(() => undefined);
    return probing;
  }
}
