import { createHash } from 'node:crypto';
import type { Type } from '@nestjs/common';
import type { Pool } from 'pg';
import type { DataSource, EntityMetadata } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import type { AbstractSessionEntity } from '../entities/abstract-session.entity.js';
import { SessionEntity } from '../entities/session.entity.js';
import { SessionsConfigurationError } from '../errors/sessions-configuration.error.js';
import { SessionsError } from '../errors/sessions.error.js';
import { generateSessionKey } from '../session/session-key.util.js';
import { decodeSessionData } from './session-data.util.js';
import {
  type SessionTableNames,
  sessionTableNames,
} from './session-table.util.js';
import {
  type SessionData,
  type SessionExpiry,
  SessionStore,
  type SessionWrite,
} from './session.store.js';

/** A key collision is a 1 in 36^32 event; this many in a row means a broken RNG. */
const MAX_CREATE_ATTEMPTS = 10;

/** A statement, under the name it is prepared with. */
interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

type SessionStatements<Statement> = Record<
  | 'load'
  | 'exists'
  | 'create'
  | 'saveChanges'
  | 'replace'
  | 'delete'
  | 'deleteIfEmpty',
  Statement
>;

/**
 * The `'db'` store: sessions in PostgreSQL, in the table of `SessionEntity`
 * (or the app's subclass of `AbstractSessionEntity`), through the app's
 * TypeORM `DataSource`.
 *
 * Every operation is one statement on the primary key. A save is an UPDATE
 * of the keys that changed (`(data - removed) || set`), applied atomically by
 * PostgreSQL, so concurrent requests that change different keys all keep
 * their change, and a session deleted meanwhile is not re-created. Expiry is
 * counted by the database's clock.
 *
 * Statements go to the `DataSource`'s pool directly, so TypeORM's query
 * logging never prints session keys or data. They are named prepared
 * statements: each connection has PostgreSQL parse and plan each one once,
 * not on every request.
 */
export class TypeOrmSessionStore extends SessionStore {
  /** The entity's metadata in `dataSource`. */
  readonly metadata: EntityMetadata;
  /** The session table and its columns, quoted for SQL. */
  readonly table: SessionTableNames;
  private readonly sql: SessionStatements<PreparedStatement>;

  constructor(
    readonly dataSource: DataSource,
    entity: Type<AbstractSessionEntity> = SessionEntity,
  ) {
    super();
    this.metadata = metadataOf(dataSource, entity);
    this.table = sessionTableNames(dataSource, this.metadata);
    this.sql = prepared(buildStatements(this.table));
  }

  async load(key: string): Promise<SessionData | null> {
    const { rows } = await this.query<{ data: unknown }>(this.sql.load, [key]);
    return rows.length === 0 ? null : decodeSessionData(rows[0].data);
  }

  async exists(key: string): Promise<boolean> {
    const { rowCount } = await this.query(this.sql.exists, [key]);
    return rowCount === 1;
  }

  async create(write: SessionWrite): Promise<string> {
    const data = JSON.stringify(write.data);
    for (let attempt = 0; attempt < MAX_CREATE_ATTEMPTS; attempt++) {
      const key = this.newSessionKey();
      const { rowCount } = await this.query(this.sql.create, [
        key,
        data,
        ...expiryParameters(write.expiry),
      ]);
      if (rowCount === 1) {
        return key;
      }
    }
    throw new SessionsError(
      `Could not find a free session key in ${MAX_CREATE_ATTEMPTS} attempts: is the random number source broken?`,
    );
  }

  async save(key: string, write: SessionWrite): Promise<string | null> {
    const { changes } = write;
    const { rowCount } = changes.replaced
      ? await this.query(this.sql.replace, [
          key,
          JSON.stringify(write.data),
          ...expiryParameters(write.expiry),
        ])
      : await this.query(this.sql.saveChanges, [
          key,
          changes.removed,
          JSON.stringify(changes.set),
          ...expiryParameters(write.expiry),
        ]);
    return rowCount === 1 ? key : null;
  }

  async delete(key: string): Promise<boolean> {
    const { rowCount } = await this.query(this.sql.delete, [key]);
    return rowCount === 1;
  }

  async deleteIfEmpty(key: string): Promise<boolean> {
    const { rowCount } = await this.query(this.sql.deleteIfEmpty, [key]);
    return rowCount === 1;
  }

  /** A candidate key for a new session; override to make keys another way. */
  protected newSessionKey(): string {
    return generateSessionKey();
  }

  private query<Row extends object = object>(
    { name, text }: PreparedStatement,
    values: unknown[],
  ): Promise<{ rows: Row[]; rowCount: number | null }> {
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    return pool.query<Row>({ name, text, values });
  }
}

/**
 * The statements under names of their own, from a hash of their text: stores
 * of other tables on the same pool prepare statements of their own.
 */
function prepared(
  statements: SessionStatements<string>,
): SessionStatements<PreparedStatement> {
  const entries = Object.entries(statements).map(([key, text]) => {
    const digest = createHash('sha256').update(text).digest('hex');
    return [key, { name: `nest_sessions_${digest.slice(0, 24)}`, text }];
  });
  return Object.fromEntries(entries) as SessionStatements<PreparedStatement>;
}

/** `[date, seconds]`: one of the two is null, the SQL takes the other. */
function expiryParameters(expiry: SessionExpiry): [Date | null, number | null] {
  return expiry instanceof Date ? [expiry, null] : [null, expiry];
}

function metadataOf(
  dataSource: DataSource,
  entity: Type<AbstractSessionEntity>,
): EntityMetadata {
  const problems: string[] = [];
  if (dataSource.options.type !== 'postgres') {
    problems.push(
      `the 'db' store needs PostgreSQL, but the TypeORM data source is of type '${dataSource.options.type}'.`,
    );
  }
  if (!dataSource.isInitialized) {
    problems.push(
      `the TypeORM data source is not initialized: call dataSource.initialize() first (TypeOrmModule does it for you).`,
    );
  }
  if (!dataSource.hasMetadata(entity)) {
    problems.push(
      `the entity ${entity.name} is not registered with the TypeORM data source: ` +
        `add it to the 'entities' of TypeOrmModule.forRoot() (or of your DataSource).`,
    );
  }
  if (problems.length > 0) {
    throw new SessionsConfigurationError(problems);
  }
  return dataSource.getMetadata(entity);
}

function buildStatements({
  table,
  key,
  data,
  expire,
}: SessionTableNames): SessionStatements<string> {
  const live = `${key} = $1 AND ${expire} > now()`;
  const expiry = (date: number, seconds: number): string =>
    `COALESCE($${date}::timestamptz, now() + make_interval(secs => $${seconds}))`;

  return {
    load: `SELECT ${data} AS data FROM ${table} WHERE ${live}`,
    exists: `SELECT 1 FROM ${table} WHERE ${live}`,
    create:
      `INSERT INTO ${table} (${key}, ${data}, ${expire}) VALUES ($1, $2::jsonb, ${expiry(3, 4)}) ` +
      `ON CONFLICT (${key}) DO NOTHING`,
    // Stored data that is not an object (corrupt, loaded as {}) is replaced
    // by the keys set: they are all the session has.
    saveChanges:
      `UPDATE ${table} SET ${data} = CASE WHEN jsonb_typeof(${data}) = 'object' ` +
      `THEN (${data} - $2::text[]) || $3::jsonb ELSE $3::jsonb END, ` +
      `${expire} = ${expiry(4, 5)} WHERE ${live}`,
    replace: `UPDATE ${table} SET ${data} = $2::jsonb, ${expire} = ${expiry(3, 4)} WHERE ${live}`,
    delete: `DELETE FROM ${table} WHERE ${key} = $1`,
    deleteIfEmpty: `DELETE FROM ${table} WHERE ${key} = $1 AND ${data} = '{}'::jsonb`,
  };
}
