import type { ClientBase } from 'pg';
import type { QueryRunner } from 'typeorm';
import type { AbstractSessionEntity } from '../entities/abstract-session.entity.js';
import type { SessionTable } from '../stores/session-table.js';
import { type BatchColumn, batchColumns } from './batch-columns.js';
import { isoText } from './iso-text.js';

/**
 * Where a batch starts along the `expire_date` index: at an instant
 * (inclusive), less the sessions at that instant the batch before took.
 */
export interface BatchStart {
  readonly from: string;
  readonly taken: readonly string[];
}

/** Where a batch's loaded sessions end: the last instant, and the sessions loaded at it. */
export interface BatchEnd {
  readonly at: string;
  readonly keys: readonly string[];
}

/** A batch as loaded: its sessions, their keys, where they end and where the batch after starts. */
export interface LoadedBatch {
  readonly sessions: AbstractSessionEntity[];
  readonly keys: string[];
  /** Null when no session was loaded. */
  readonly end: BatchEnd | null;
  /** Null when this is the last batch. */
  readonly next: BatchStart | null;
}

/**
 * A batch as fetched: its keys, where it ends, where the batch after starts,
 * and each column's values: parsed for the key and the expiry, else still
 * JSON text.
 */
export interface FetchedBatch extends Omit<LoadedBatch, 'sessions'> {
  readonly columns: (unknown[] | string)[];
}

/** Where the first batch of a run starts. */
export const FIRST_BATCH: BatchStart = { from: '-infinity', taken: [] };

/**
 * Loads the expired sessions of an `'events'` batch as entities: in one
 * statement, each column's values as one JSON array, which Node parses
 * natively (several times faster than pg decodes rows field by field).
 *
 * A batch is a range of the `expire_date` index: an index probe first finds
 * the expiry of the session past `batchSize` (as raw mode's batches do), so
 * where the batch after starts is known before this one loads, and the two
 * can load at the same time. Run both statements in one snapshot: the range
 * then holds exactly the sessions loaded.
 */
export class EventsBatchLoader {
  /** Expired, from the start on, less the sessions the batch before took ($1, $2). */
  readonly fromStart: string;
  private readonly boundSql: string;
  private readonly loadSql: string;
  private readonly keyIndex: number;
  private readonly expireIndex: number;

  private constructor(
    private readonly sessionTable: SessionTable,
    private readonly batchSize: number,
    private readonly columns: BatchColumn[],
  ) {
    const { table, key, expire } = sessionTable.names;
    this.fromStart =
      `${expire} >= $1::timestamptz AND ${expire} < now() ` +
      `AND NOT (${expire} = $1::timestamptz AND ${key} = ANY ($2::text[]))`;
    const past =
      `SELECT ${expire} FROM ${table} WHERE ${this.fromStart} ` +
      `ORDER BY ${expire} OFFSET $3 LIMIT 1`;
    // No row when none is past the batch. Whether the bound is the start's
    // instant is decided here: the text of an instant depends on the
    // connection's TimeZone. (A LIMIT subquery is not inlined: the bound is
    // found once, and becomes text once.)
    this.boundSql =
      `SELECT ${isoText(expire)} AS bound, ${expire} = $1::timestamptz AS tied ` +
      `FROM (${past}) AS p`;
    const arrays = columns
      .map(({ aggregate }, index) => `${aggregate}::text AS c${index}`)
      .join(', ');
    this.keyIndex = this.indexOf('sessionKey');
    this.expireIndex = this.indexOf('expireDate');
    this.loadSql =
      `SELECT ${arrays}, ${isoText(`max(s.${expire})`)} AS last ` +
      `FROM (SELECT * FROM ${table} WHERE ${this.fromStart} ` +
      `AND ${expire} < $4::timestamptz ORDER BY ${expire} LIMIT $3) AS s`;
  }

  /** A loader for `sessionTable`; the column types are read on `client`. */
  static async open(
    sessionTable: SessionTable,
    batchSize: number,
    client: ClientBase,
  ): Promise<EventsBatchLoader> {
    return new EventsBatchLoader(
      sessionTable,
      batchSize,
      await batchColumns(sessionTable, client),
    );
  }

  /** Loads the batch from `start` on `client`, as entities of `runner`. */
  async load(
    client: ClientBase,
    start: BatchStart,
    runner: QueryRunner,
  ): Promise<LoadedBatch> {
    return this.hydrate(await this.fetch(client, start), runner);
  }

  /**
   * The batch from `start`, still as JSON but for its keys and where it
   * ends: those are known before the (longer) hydration.
   *
   * A batch stops before the instant of the session past `batchSize` (so it
   * may be short, even empty). `found` hears that bound as soon as the probe
   * finds it: the batch after starts there, and can load on another
   * connection meanwhile, since the two cannot overlap. It hears nothing
   * for the last batch, nor when more than `batchSize` of the sessions left
   * expire at the start's very instant: this batch then takes `batchSize`
   * of them, and the one after starts at the same instant less this one's
   * sessions only (`taken`), so it may load only once the batches before
   * this one are deleted and committed.
   */
  async fetch(
    client: ClientBase,
    start: BatchStart,
    found?: (next: BatchStart) => void,
  ): Promise<FetchedBatch> {
    const params = [start.from, start.taken, this.batchSize];
    const { rows: probed } = await client.query<{
      bound: string;
      tied: boolean;
    }>(this.boundSql, params);
    const [probe] = probed;
    const bound = probe?.bound ?? null;
    const following: BatchStart | null =
      probe && !probe.tied ? { from: probe.bound, taken: [] } : null;
    if (following) {
      found?.(following);
    }
    const { rows } = await client.query<Record<string, string | null>>(
      this.loadSql,
      [...params, following?.from ?? 'infinity'],
    );
    const [{ last, ...arrays }] = rows;
    const columns: (unknown[] | string)[] = this.columns.map(
      (_, index) => arrays[`c${index}`] ?? '[]',
    );
    const keys = parsed(columns, this.keyIndex) as string[];
    const end = last === null ? null : this.endOf(columns, keys, last);
    // No bound: what is left fits in this batch. A bound at the start: the
    // batch after starts at the same instant, past this one's sessions.
    const next =
      following ??
      (bound === null || end === null
        ? null
        : { from: end.at, taken: end.keys });
    return { columns, keys, end, next };
  }

  /** The fetched batch's sessions, as entities of `runner`. */
  hydrate(batch: FetchedBatch, runner: QueryRunner): LoadedBatch {
    // `values[column][row]`, columns in the order of `columns`.
    const values = batch.columns.map((column) =>
      typeof column === 'string' ? (JSON.parse(column) as unknown[]) : column,
    );
    const sessions = batch.keys.map((_, row) =>
      this.entityOf(runner, values, row),
    );
    const { keys, end, next } = batch;
    return { sessions, keys, end, next };
  }

  /** The entity of a row, its values converted as TypeORM does when it loads. */
  private entityOf(
    runner: QueryRunner,
    values: unknown[][],
    row: number,
  ): AbstractSessionEntity {
    const entity = this.sessionTable.metadata.create(
      runner,
    ) as AbstractSessionEntity;
    const { driver } = runner.dataSource;
    this.columns.forEach(({ metadata, parse }, index) =>
      metadata.setEntityValue(
        entity,
        driver.prepareHydratedValue(parse(values[index][row]), metadata),
      ),
    );
    return entity;
  }

  /** The last instant loaded (`last`), and the keys of the sessions at it. */
  private endOf(
    columns: (unknown[] | string)[],
    keys: string[],
    last: string,
  ): BatchEnd {
    // Equal epochs (float8, exact to the microsecond), equal instants.
    const epochs = parsed(columns, this.expireIndex).map(Number);
    const latest = epochs.reduce((a, b) => Math.max(a, b));
    return { at: last, keys: keys.filter((_, row) => epochs[row] === latest) };
  }

  private indexOf(property: keyof AbstractSessionEntity): number {
    return this.columns.findIndex(
      (column) => column.metadata.propertyName === property,
    );
  }
}

/** Column `index` of `columns`, parsed from its JSON text in place (once). */
function parsed(columns: (unknown[] | string)[], index: number): unknown[] {
  const column = columns[index];
  if (typeof column !== 'string') {
    return column;
  }
  const values = JSON.parse(column) as unknown[];
  columns[index] = values;
  return values;
}
