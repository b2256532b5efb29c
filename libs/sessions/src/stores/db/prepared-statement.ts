import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/** A statement, under the name it is prepared with. */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

/**
 * `text` under a name of its own, from a hash of the text: stores of other
 * tables on the same pool prepare statements of their own.
 */
export function preparedStatement(text: string): PreparedStatement {
  const digest = createHash('sha256').update(text).digest('hex');
  return { name: `nest_sessions_${digest.slice(0, 24)}`, text };
}

/**
 * Runs a prepared statement on the data source's pool directly, so that
 * each connection parses and plans it once, and TypeORM's query logging
 * never prints session keys or data.
 */
export function queryPrepared<Row extends object = object>(
  dataSource: DataSource,
  { name, text }: PreparedStatement,
  values: unknown[],
): Promise<{ rows: Row[]; rowCount: number | null }> {
  // The PostgreSQL driver's pool, its public `master` member (the store
  // checked at construction that the data source is PostgreSQL).
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  return pool.query<Row>({ name, text, values });
}
