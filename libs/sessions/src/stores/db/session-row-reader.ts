import {
  type PreparedStatement,
  preparedStatement,
  queryPrepared,
} from './prepared-statement.js';
import { TurnBatch } from './turn-batch.js';
import type { TypeOrmSessionStore } from './typeorm-session.store.js';

/** A live session as its row holds it. */
export interface SessionRow {
  /** The stored data, as JSON text. */
  readonly data: string;
  /**
   * When the row expires, on this process's `performance.now()` clock:
   * the time left by the database's clock, counted from before the
   * statement was sent, so it never falls after the row's expiry.
   */
  readonly expiresAt: number;
  /**
   * The row's version (PostgreSQL's `xmin`): every UPDATE of the row gives
   * it another, so a read that finds the same version found the same row.
   */
  readonly version: string;
}

/**
 * Reads live sessions with the time they have left, from the table of a
 * `'db'` store, for the `'cached_db'` store to cache each one for exactly
 * that long: the database's clock decides when a session expires, not this
 * process's. The reads asked for in one turn of the event loop go as one
 * SELECT, as the `'db'` store's loads do; the statement goes to the pool
 * directly, so TypeORM's query logging never prints a session key.
 */
export class SessionRowReader {
  private readonly statement: PreparedStatement;
  private readonly reads = new TurnBatch((keys: readonly string[]) =>
    this.readTogether(keys),
  );

  constructor(private readonly database: TypeOrmSessionStore) {
    const { table, key, data, expire } = database.sessionTable.names;
    const text =
      `SELECT ${key} AS key, ${data}::text AS data, xmin::text AS version, ` +
      `EXTRACT(EPOCH FROM ${expire} - now())::float8 * 1000 AS remaining ` +
      `FROM ${table} WHERE ${key} = ANY($1::text[]) AND ${expire} > now()`;
    this.statement = preparedStatement(text);
  }

  /** The live session under `key`, or `null`. */
  read(key: string): Promise<SessionRow | null> {
    return this.reads.add(key);
  }

  private async readTogether(
    keys: readonly string[],
  ): Promise<(SessionRow | null)[]> {
    const sent = performance.now();
    const { rows } = await queryPrepared<{
      key: string;
      data: string;
      version: string;
      remaining: number;
    }>(this.database.dataSource, this.statement, [[...new Set(keys)]]);
    const found = new Map(
      rows.map(({ key, data, version, remaining }) => [
        key,
        { data, version, expiresAt: sent + remaining },
      ]),
    );
    return keys.map((key) => found.get(key) ?? null);
  }
}
