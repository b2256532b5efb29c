import type { Type } from '@nestjs/common';
import type { DataSource, EntityMetadata } from 'typeorm';
import type { AbstractSessionEntity } from '../../entities/abstract-session.entity.js';
import { SessionEntity } from '../../entities/session.entity.js';
import { SessionsConfigurationError } from '../../errors/sessions-configuration.error.js';
import { UserSessionsUnsupportedError } from '../../errors/user-sessions-unsupported.error.js';
import {
  type PreparedStatement,
  preparedStatement,
  queryPrepared,
} from './prepared-statement.js';
import { type RowUpdate, rowUpdateOf } from './row-update.js';
import { decodeSessionData } from '../session-data.js';
import { SessionTable, type SessionTableNames } from '../session-table.js';
import {
  type LoadedSession,
  type SessionData,
  type SessionExpiry,
  SessionStore,
  type SessionWrite,
  type StoredUserSession,
  type UserSessionsFilter,
} from '../session.store.js';
import { AUTH_KEYS } from '../../sessions.constants.js';
import { TurnBatch } from './turn-batch.js';
import { hashSessionKey } from '../session-key.js';
import { SESSIONS_MESSAGES } from '../../errors/sessions.messages.js';

/** Expired sessions deleted per statement by `clearExpired()`. */
const CLEAR_BATCH_SIZE = 5000;

/** Options of a `TypeOrmSessionStore`. */
export interface TypeOrmSessionStoreOptions {
  /**
   * Seconds after its creation at which a session ends, whatever its
   * activity (the module's `maxLifetime`): every write caps the expiry at
   * `created_at` plus this. Needs the users' columns.
   * @default undefined
   */
  maxLifetime?: number;
  /**
   * Keep the SHA-256 of each key (hex), never the key (the module's
   * `hashKeys`); `'migrate'` also finds sessions under their plain keys and
   * re-keys them to their hashes as it reads them.
   * @default false
   */
  hashKeys?: boolean | 'migrate';
}

/** A save, with the key of the session it writes. */
interface KeyedWrite {
  readonly key: string;
  readonly write: SessionWrite;
}

type SessionStatements<Statement> = Record<
  | 'load'
  | 'exists'
  | 'create'
  | 'save'
  | 'delete'
  | 'deleteIfEmpty'
  | 'clearExpired'
  | 'listUser'
  | 'expireUser'
  | 'rehash',
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
 * Loads and saves asked for in the same turn of the event loop go together:
 * one SELECT for all the loads, one UPDATE for all the saves (see
 * `TurnBatch`). Under load this spares most of the per-statement work on both
 * sides of the connection.
 *
 * Statements go to the `DataSource`'s pool directly, so TypeORM's query
 * logging never prints session keys or data. They are named prepared
 * statements: each connection has PostgreSQL parse and plan each one once,
 * not on every request.
 */
export class TypeOrmSessionStore extends SessionStore {
  private readonly table: SessionTable;
  private readonly sql: SessionStatements<PreparedStatement>;
  private readonly loads = new TurnBatch((keys: readonly string[]) =>
    this.loadTogether(keys),
  );
  private readonly maxLifetime: number | undefined;
  private readonly hashKeys: boolean | 'migrate';
  private readonly saves = new TurnBatch((saves: readonly KeyedWrite[]) =>
    this.saveTogether(saves),
  );

  constructor(
    readonly dataSource: DataSource,
    entity: Type<AbstractSessionEntity> = SessionEntity,
    options: TypeOrmSessionStoreOptions = {},
  ) {
    super();
    this.table = new SessionTable(dataSource, metadataOf(dataSource, entity));
    this.maxLifetime = options.maxLifetime;
    this.hashKeys = options.hashKeys ?? false;
    if (
      this.maxLifetime !== undefined &&
      this.table.names.users === undefined
    ) {
      throw new SessionsConfigurationError([
        SESSIONS_MESSAGES.maxLifetimeNeedsColumns(entity.name),
      ]);
    }
    this.sql = prepared(
      buildStatements(
        this.table.names,
        this.maxLifetime,
        this.hashKeys === 'migrate',
      ),
    );
  }

  /** Whether it keeps hashes of the keys (`hashKeys`). */
  override get hashesKeys(): boolean {
    return this.hashKeys !== false;
  }

  /** The key as the table holds it: its SHA-256 with `hashKeys`. */
  override storedKeyOf(key: string): string {
    return this.hashKeys === false ? key : hashSessionKey(key);
  }

  /**
   * The keys to look a session up by: the stored one, and in `'migrate'`
   * the plain one too.
   */
  private lookupKeys(key: string): string[] {
    return this.hashKeys === 'migrate'
      ? [hashSessionKey(key), key]
      : [this.storedKeyOf(key)];
  }

  /** Whether it was made with a `maxLifetime`, which every write applies. */
  override get limitsLifetime(): boolean {
    return this.maxLifetime !== undefined;
  }

  /** @internal The table the cleanup purges. */
  override get sessionTable(): SessionTable {
    return this.table;
  }

  async load(key: string): Promise<SessionData | null> {
    return (await this.loads.add(key))?.data ?? null;
  }

  /** The data and, by the database's clock, the seconds the session has left. */
  override loadWithExpiry(key: string): Promise<LoadedSession | null> {
    return this.loads.add(key);
  }

  async exists(key: string): Promise<boolean> {
    const { rowCount } = await this.query(
      this.sql.exists,
      this.lookupKeys(key),
    );
    return rowCount === 1;
  }

  create(write: SessionWrite): Promise<string> {
    const data = JSON.stringify(write.data);
    return this.claimNewKey(async (key) => {
      const { rowCount } = await this.query(this.sql.create, [
        this.storedKeyOf(key),
        data,
        ...expiryParameters(write.expiry),
      ]);
      return rowCount === 1;
    });
  }

  save(key: string, write: SessionWrite): Promise<string | null> {
    return this.saves.add({ key, write });
  }

  async delete(key: string): Promise<boolean> {
    const { rowCount } = await this.query(
      this.sql.delete,
      this.lookupKeys(key),
    );
    return (rowCount ?? 0) > 0;
  }

  async deleteIfEmpty(key: string): Promise<boolean> {
    const { rowCount } = await this.query(
      this.sql.deleteIfEmpty,
      this.lookupKeys(key),
    );
    return (rowCount ?? 0) > 0;
  }

  /**
   * Deletes the expired sessions, a batch of `CLEAR_BATCH_SIZE` per
   * statement. `CleanupService` does it in the background, with
   * `@OnSessionsExpired()` handlers and one instance at a time; this is the
   * plain form of the store contract.
   */
  async clearExpired(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const { rowCount } = await this.query(this.sql.clearExpired, [
        CLEAR_BATCH_SIZE,
      ]);
      deleted += rowCount ?? 0;
      if ((rowCount ?? 0) < CLEAR_BATCH_SIZE) {
        return deleted;
      }
    }
  }

  /** Whether the entity has the users' columns (`AbstractUserSessionEntity`). */
  override get findsUserSessions(): boolean {
    return this.table.names.users !== undefined;
  }

  /** One indexed SELECT of the user's live sessions, the most recently seen first. */
  override async listUserSessions(
    userId: string,
  ): Promise<StoredUserSession[]> {
    if (!this.findsUserSessions) {
      throw this.noUserColumns();
    }
    const { rows } = await this.query<{
      id: string;
      created_at: Date;
      last_seen: Date;
      expire_date: Date;
      ip: string | null;
      user_agent: string | null;
    }>(this.sql.listUser, [userId]);
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.created_at,
      lastSeen: row.last_seen,
      expiresAt: row.expire_date,
      ip: row.ip,
      userAgent: row.user_agent,
    }));
  }

  override async expireUserSessions(
    userId: string,
    filter: UserSessionsFilter = {},
  ): Promise<number> {
    return (await this.expireUserSessionKeys(userId, filter)).length;
  }

  /**
   * @internal `expireUserSessions()`, giving the keys it expired (the
   * `'cached_db'` store drops their entries).
   */
  async expireUserSessionKeys(
    userId: string,
    { id, exceptKey }: UserSessionsFilter,
  ): Promise<string[]> {
    if (!this.findsUserSessions) {
      throw this.noUserColumns();
    }
    const { rows } = await this.query<{ key: string }>(this.sql.expireUser, [
      userId,
      id ?? null,
      exceptKey === undefined ? null : this.storedKeyOf(exceptKey),
    ]);
    return rows.map(({ key }) => key);
  }

  private noUserColumns(): UserSessionsUnsupportedError {
    return new UserSessionsUnsupportedError(
      this.storeName,
      SESSIONS_MESSAGES.userColumnsMissing(this.table.metadata.name),
    );
  }

  /**
   * One SELECT for the sessions asked for in one turn: each request gets data
   * of its own, even when several ask for the same session.
   */
  private async loadTogether(
    keys: readonly string[],
  ): Promise<(LoadedSession | null)[]> {
    const unique = [...new Set(keys)];
    const { rows } = await this.query<{
      key: string;
      data: string;
      expires_in: number;
    }>(this.sql.load, [unique.flatMap((key) => this.lookupKeys(key))]);
    const stored = new Map(rows.map((row) => [row.key, row]));
    if (this.hashKeys === 'migrate') {
      await this.rehash(unique.filter((key) => stored.has(key)));
    }
    return keys.map((key) => {
      const row = stored.get(this.storedKeyOf(key)) ?? stored.get(key);
      return row === undefined
        ? null
        : { data: decodeSessionData(row.data), expiresIn: row.expires_in };
    });
  }

  /**
   * @internal In `'migrate'`, re-keys the session to its hash if the table
   * still holds it under its plain key (the `'cached_db'` store, before it
   * reads a row the cache missed); otherwise nothing.
   */
  async migrateKey(key: string): Promise<void> {
    if (this.hashKeys === 'migrate') {
      await this.rehash([key]);
    }
  }

  /**
   * `'migrate'`: re-keys the sessions found under these plain keys to their
   * hashes, in one statement. A row re-keyed meanwhile by another request
   * is simply not found again.
   */
  private async rehash(plainKeys: readonly string[]): Promise<void> {
    if (plainKeys.length > 0) {
      await this.query(this.sql.rehash, [
        plainKeys,
        plainKeys.map((key) => hashSessionKey(key)),
      ]);
    }
  }

  /**
   * One UPDATE for the saves of one turn, one row per session. If PostgreSQL
   * refuses the data of one of them (a value out of range, say), each save is
   * tried on its own, one after another in the order they came, so that only
   * the save at fault fails. Other errors (the database going away) fail the
   * whole batch at once, without more statements.
   */
  private async saveTogether(
    saves: readonly KeyedWrite[],
  ): Promise<(string | null | Promise<string | null>)[]> {
    const writesByKey = new Map<string, SessionWrite[]>();
    for (const { key, write } of saves) {
      const writes = writesByKey.get(key);
      if (writes === undefined) {
        writesByKey.set(key, [write]);
      } else {
        writes.push(write);
      }
    }
    let saved: Set<string>;
    try {
      saved = await this.update(
        [...writesByKey].map(([key, writes]) => [key, rowUpdateOf(writes)]),
      );
    } catch (error) {
      if (saves.length === 1 || !isDataError(error)) {
        throw error;
      }
      let previous: Promise<unknown> = Promise.resolve();
      return saves.map(({ key, write }) => {
        const alone = previous.then(() =>
          this.update([[key, rowUpdateOf([write])]]),
        );
        previous = alone.catch(() => undefined);
        return alone.then((saved) => (saved.has(key) ? key : null));
      });
    }
    return saves.map(({ key }) => (saved.has(key) ? key : null));
  }

  /** Applies the updates to the live sessions; returns the keys it updated. */
  private async update(
    unordered: readonly [string, RowUpdate][],
  ): Promise<Set<string>> {
    // Rows are locked in the order given: always the same order, so that two
    // batches in flight (of this app instance or another) cannot deadlock.
    const updates = [...unordered].sort(([a], [b]) => (a < b ? -1 : 1));
    const expiries = updates.map(([, { expiry }]) => expiryParameters(expiry));
    // One array per column of `unnest(...)`, in its order.
    const { rows } = await this.query<{ key: string }>(this.sql.save, [
      updates.map(([key]) => this.storedKeyOf(key)),
      updates.map(([, { replaced }]) => replaced),
      updates.map(([, { removed }]) => JSON.stringify(removed)),
      updates.map(([, { set }]) => JSON.stringify(set)),
      updates.map(([, { increments }]) => JSON.stringify(increments)),
      expiries.map(([date]) => date),
      expiries.map(([, seconds]) => seconds),
    ]);
    const saved = new Set(rows.map(({ key }) => key));
    return new Set(
      updates
        .map(([key]) => key)
        .filter((key) => saved.has(this.storedKeyOf(key))),
    );
  }

  private query<Row extends object = object>(
    statement: PreparedStatement,
    values: unknown[],
  ): Promise<{ rows: Row[]; rowCount: number | null }> {
    return queryPrepared<Row>(this.dataSource, statement, values);
  }
}

/** The statements under names of their own (`preparedStatement()`). */
function prepared(
  statements: SessionStatements<string>,
): SessionStatements<PreparedStatement> {
  const entries = Object.entries(statements).map(([key, text]) => [
    key,
    preparedStatement(text),
  ]);
  return Object.fromEntries(entries) as SessionStatements<PreparedStatement>;
}

/** Whether PostgreSQL refused a value (SQLSTATE class 22, data exception). */
function isDataError(error: unknown): boolean {
  const code: unknown =
    typeof error === 'object' && error !== null && 'code' in error
      ? error.code
      : undefined;
  return typeof code === 'string' && code.startsWith('22');
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
    problems.push(SESSIONS_MESSAGES.notPostgres(dataSource.options.type));
  }
  if (!dataSource.isInitialized) {
    problems.push(SESSIONS_MESSAGES.dataSourceNotInitialized());
  }
  if (!dataSource.hasMetadata(entity)) {
    problems.push(SESSIONS_MESSAGES.entityNotRegistered(entity.name));
  }
  if (problems.length > 0) {
    throw new SessionsConfigurationError(problems);
  }
  return dataSource.getMetadata(entity);
}

function buildStatements(
  { table, key, data, expire, users }: SessionTableNames,
  maxLifetime: number | undefined,
  migrating: boolean,
): SessionStatements<string> {
  // A session by its key: in 'migrate', by its hash ($1) or its plain key ($2).
  const byKey = migrating ? `${key} IN ($1, $2)` : `${key} = $1`;
  const live = `${byKey} AND ${expire} > now()`;
  // A session's public id: the SHA-256 of its key, never the key itself;
  // a stored key of 64 characters is that hash already (keys have 8 to 40).
  const publicId =
    `CASE WHEN length(${key}) = 64 THEN ${key} ` +
    `ELSE encode(sha256(convert_to(${key}, 'UTF8')), 'hex') END`;
  // Without the users' columns (an entity of AbstractSessionEntity alone),
  // saves leave them out and the user statements are never sent.
  const none = 'SELECT NULL WHERE false';
  const { user, created, lastSeen, ip, userAgent } = users ?? {};
  // The columns that follow a key of the data (set by a login), with the
  // longest text each takes.
  const followed: [
    column: string | undefined,
    dataKey: string,
    length: number,
  ][] = [
    [user, AUTH_KEYS.userId, 255],
    [ip, AUTH_KEYS.ip, 45],
    [userAgent, AUTH_KEYS.userAgent, 512],
  ];
  const valueIn = (json: string, dataKey: string, length: number) =>
    `left(${json} ->> '${dataKey}', ${length})`;
  // An expiry as given, capped at `maxLifetime` after the creation.
  const expiry = (date: string, seconds: string, createdAt: string): string => {
    const given = `COALESCE(${date}, now() + make_interval(secs => ${seconds}))`;
    return maxLifetime === undefined
      ? given
      : `LEAST(${given}, ${createdAt} + make_interval(secs => ${maxLifetime}))`;
  };

  return {
    // Text, not jsonb: each request parses its own copy.
    load:
      `SELECT ${key} AS key, ${data}::text AS data, ` +
      `extract(epoch FROM ${expire} - now())::float8 AS expires_in ` +
      `FROM ${table} WHERE ${key} = ANY($1::text[]) AND ${expire} > now()`,
    exists: `SELECT 1 FROM ${table} WHERE ${live}`,
    // The users' columns follow the data's keys of a login.
    create:
      `INSERT INTO ${table} (${key}, ${data}, ${expire}` +
      (users ? followed.map(([column]) => `, ${column}`).join('') : '') +
      `) VALUES ($1, $2::jsonb, ${expiry('$3::timestamptz', '$4', 'now()')}` +
      (users
        ? followed
            .map(
              ([, dataKey, length]) =>
                `, ${valueIn('$2::jsonb', dataKey, length)}`,
            )
            .join('')
        : '') +
      `) ON CONFLICT (${key}) DO NOTHING`,
    // One row of parameters per session. Stored data that is not an object
    // (corrupt, loaded as {}) is replaced by the keys set: they are all the
    // session has. Then each increment adds to the stored number (0 if none),
    // in the same statement: concurrent increments all count.
    save:
      `UPDATE ${table} AS stored SET ${data} = CASE WHEN NOT given.replaced AND jsonb_typeof(stored.${data}) = 'object' ` +
      `THEN (stored.${data} - ARRAY(SELECT jsonb_array_elements_text(given.removed))) || given.assigned ELSE given.assigned END ` +
      `|| CASE WHEN given.replaced OR given.increments = '{}'::jsonb THEN '{}'::jsonb ELSE (` +
      `SELECT jsonb_object_agg(added.key, COALESCE(CASE WHEN jsonb_typeof(stored.${data} -> added.key) = 'number' ` +
      `THEN (stored.${data} -> added.key)::numeric END, 0) + added.value::numeric) ` +
      `FROM jsonb_each(given.increments) AS added) END, ` +
      `${expire} = ${expiry('given.expire_at', 'given.expire_in', `stored.${created}`)} ` +
      (users
        ? followed
            .map(
              ([column, dataKey, length]) =>
                `, ${column} = CASE WHEN given.assigned ? '${dataKey}' THEN ${valueIn('given.assigned', dataKey, length)} ` +
                `WHEN given.replaced OR given.removed ? '${dataKey}' THEN NULL ELSE stored.${column} END`,
            )
            .join('') + `, ${lastSeen} = now() `
        : '') +
      `FROM unnest($1::text[], $2::boolean[], $3::jsonb[], $4::jsonb[], $5::jsonb[], $6::timestamptz[], $7::float8[]) ` +
      `AS given(key, replaced, removed, assigned, increments, expire_at, expire_in) ` +
      `WHERE stored.${key} = given.key AND stored.${expire} > now() RETURNING stored.${key} AS key`,
    delete: `DELETE FROM ${table} WHERE ${byKey}`,
    deleteIfEmpty: `DELETE FROM ${table} WHERE ${byKey} AND ${data} = '{}'::jsonb`,
    rehash:
      `UPDATE ${table} SET ${key} = given.hash FROM unnest($1::text[], $2::text[]) AS given(plain, hash) ` +
      `WHERE ${key} = given.plain`,
    listUser: !users
      ? none
      : `SELECT ${publicId} AS id, ${created} AS created_at, ${lastSeen} AS last_seen, ${expire} AS expire_date, ` +
        `${ip} AS ip, ${userAgent} AS user_agent ` +
        `FROM ${table} WHERE ${user} = $1 AND ${expire} > now() ORDER BY ${lastSeen} DESC`,
    expireUser: !users
      ? none
      : // Expired, not deleted: dead at once (reads and saves need a live
        // row), and the cleanup's handlers then remove what was keyed by it.
        `UPDATE ${table} SET ${expire} = now() - interval '1 millisecond' ` +
        `WHERE ${user} = $1 AND ${expire} > now() AND ($2::text IS NULL OR ${publicId} = $2) ` +
        `AND ($3::text IS NULL OR ${key} <> $3) RETURNING ${key} AS key`,
    clearExpired:
      `DELETE FROM ${table} WHERE ${key} IN ` +
      `(SELECT ${key} FROM ${table} WHERE ${expire} < now() LIMIT $1)`,
  };
}
