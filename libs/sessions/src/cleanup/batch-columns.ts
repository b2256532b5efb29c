import type { ClientBase } from 'pg';
import type { EntityMetadata } from 'typeorm';
import type { SessionTable } from '../stores/session-table.js';

/** Type OIDs of json and jsonb: their values travel as JSON as they are. */
const JSON_TYPES = new Set([114, 3802]);
/** Type OID of timestamptz (`expire_date`, `created_at`, `last_seen`). */
const TIMESTAMPTZ_TYPE = 1184;

/**
 * One column of the session entity as an `'events'` batch loads it: all the
 * batch's values of the column in one JSON array (`json_agg()` looks the
 * type up once per batch, and Node parses JSON natively, several times
 * faster than pg decodes rows field by field).
 */
export interface BatchColumn {
  readonly metadata: EntityMetadata['columns'][number];
  /** The aggregate that gives the column's JSON array, over rows `s`. */
  readonly aggregate: string;
  /** A value of that array, turned into what pg would have given TypeORM. */
  readonly parse: (value: unknown) => unknown;
}

/**
 * The columns of `sessionTable`'s entity that TypeORM loads (not those with
 * `select: false`), with their types read from the table on `client` (whose
 * type parsers are the ones TypeORM's queries get).
 */
export async function batchColumns(
  sessionTable: SessionTable,
  client: ClientBase,
): Promise<BatchColumn[]> {
  const { dataSource, metadata, names: table } = sessionTable;
  const columns = metadata.columns.filter(
    (column) => !column.isVirtualProperty && column.isSelect,
  );
  const names = columns.map((column) =>
    dataSource.driver.escape(column.databaseName),
  );
  const { fields } = await client.query(
    `SELECT ${names.join(', ')} FROM ${table.table} LIMIT 0`,
  );
  return columns.map((column, index) => {
    const value = `s.${names[index]}`;
    const type = fields[index].dataTypeID;
    if (type === TIMESTAMPTZ_TYPE) {
      // Seconds since 1970 (a float8, exact to the microsecond): Node makes
      // a Date of a number many times faster than of text.
      return {
        metadata: column,
        aggregate: `json_agg(date_part('epoch', ${value}))`,
        parse: epochToDate,
      };
    }
    if (JSON_TYPES.has(type)) {
      return { metadata: column, aggregate: `json_agg(${value})`, parse: same };
    }
    const parser = client.getTypeParser(type, 'text') as (
      text: string,
    ) => unknown;
    return {
      metadata: column,
      aggregate: `json_agg(${value}::text)`,
      parse: (text: unknown) =>
        typeof text === 'string' ? parser(text) : null,
    };
  });
}

function same(value: unknown): unknown {
  return value;
}

/**
 * A `date_part('epoch', ...)` value as pg parses the timestamp: a Date to
 * the millisecond below, ±Infinity (which JSON carries as text), or `null`
 * for a null.
 */
export function epochToDate(seconds: unknown): Date | number | null {
  if (seconds === null) {
    return null;
  }
  const value = Number(seconds);
  return Number.isFinite(value)
    ? new Date(Math.floor(Math.round(value * 1e6) / 1000))
    : value;
}
