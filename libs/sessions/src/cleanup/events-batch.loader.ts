import type { ClientBase } from 'pg';
import type { QueryRunner } from 'typeorm';
import type { AbstractSessionEntity } from '../entities/abstract-session.entity.js';
import type { TypeOrmSessionStore } from '../stores/typeorm-session.store.js';
import { type BatchColumn, batchColumns } from './batch-columns.js';

/**
 * Where a batch starts along the `expire_date` index: at an instant
 * (inclusive), less the sessions at that instant the batch before took.
 */
export interface BatchStart {
  readonly from: string;
  readonly taken: readonly string[];
}

/** A batch as loaded: its sessions, their keys, and where the batch after starts. */
export interface LoadedBatch {
  readonly sessions: AbstractSessionEntity[];
  readonly keys: string[];
  /** Null when no session was left to load. */
  readonly next: BatchStart | null;
}

/**
 * A batch as fetched: its keys, where the batch after starts, and each
 * column's values: parsed for the key and the expiry, else still JSON text.
 */
export interface FetchedBatch {
  readonly keys: string[];
  readonly next: BatchStart | null;
  readonly columns: (unknown[] | string)[];
}

/** Where the first batch of a run starts. */
export const FIRST_BATCH: BatchStart = { from: '-infinity', taken: [] };

/**
 * Loads the expired sessions of an `'events'` batch as entities: in one
 * statement, each column's values as one JSON array, which Node parses
 * natively (several times faster than pg decodes rows field by field).
 */
export class EventsBatchLoader {
  /** Expired, from the start on, less the sessions the batch before took ($1, $2). */
  readonly fromStart: string;
  private readonly loadSql: string;
  private readonly keyIndex: number;
  private readonly expireIndex: number;

  private constructor(
    private readonly store: TypeOrmSessionStore,
    private readonly batchSize: number,
    private readonly columns: BatchColumn[],
  ) {
    const { table, key, expire } = store.table;
    this.fromStart =
      `${expire} >= $1::timestamptz AND ${expire} < now() ` +
      `AND NOT (${expire} = $1::timestamptz AND ${key} = ANY ($2::text[]))`;
    const arrays = columns
      .map(({ aggregate }, index) => `${aggregate}::text AS c${index}`)
      .join(', ');
    this.keyIndex = this.indexOf('sessionKey');
    this.expireIndex = this.indexOf('expireDate');
    this.loadSql =
      `SELECT ${arrays}, to_json(max(s.${expire})) #>> '{}' AS last ` +
      `FROM (SELECT * FROM ${table} WHERE ${this.fromStart} ` +
      `ORDER BY ${expire} LIMIT $3) AS s`;
  }

  /** A loader for `store`'s table; the column types are read on `client`. */
  static async open(
    store: TypeOrmSessionStore,
    batchSize: number,
    client: ClientBase,
  ): Promise<EventsBatchLoader> {
    return new EventsBatchLoader(
      store,
      batchSize,
      await batchColumns(store, client),
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
   * The batch from `start`, still as JSON but for its keys and where the
   * batch after it starts: those are known before the (longer) hydration.
   */
  async fetch(client: ClientBase, start: BatchStart): Promise<FetchedBatch> {
    const { rows } = await client.query<Record<string, string | null>>(
      this.loadSql,
      [start.from, start.taken, this.batchSize],
    );
    const [{ last, ...arrays }] = rows;
    const columns: (unknown[] | string)[] = this.columns.map(
      (_, index) => arrays[`c${index}`] ?? '[]',
    );
    const keys = parsed(columns, this.keyIndex) as string[];
    const expiries = parsed(columns, this.expireIndex);
    if (last === null) {
      return { columns, keys, next: null };
    }
    // Equal epochs (float8, exact to the microsecond), equal instants.
    const epochs = expiries.map(Number);
    const latest = epochs.reduce((a, b) => Math.max(a, b));
    const taken = keys.filter((_, row) => epochs[row] === latest);
    return { columns, keys, next: { from: last, taken } };
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
    return { sessions, keys: batch.keys, next: batch.next };
  }

  /** The entity of a row, its values converted as TypeORM does when it loads. */
  private entityOf(
    runner: QueryRunner,
    values: unknown[][],
    row: number,
  ): AbstractSessionEntity {
    const entity = this.store.metadata.create(runner) as AbstractSessionEntity;
    const { driver } = runner.dataSource;
    this.columns.forEach(({ metadata, parse }, index) =>
      metadata.setEntityValue(
        entity,
        driver.prepareHydratedValue(parse(values[index][row]), metadata),
      ),
    );
    return entity;
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
