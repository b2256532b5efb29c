import type { OnApplicationShutdown } from '@nestjs/common';
import type { SessionKeyv } from './session-keyv.interface.js';
import type { SessionTable } from '../session-table.js';
import { ResilientSessionCache } from './resilient-session-cache.js';
import { SessionCacheEntries } from './session-cache-entries.js';
import { closeSessionCache, warnIfErrorsHidden } from './session-cache.js';
import { decodeSessionData, parseSessionData } from '../session-data.js';
import { SessionRowReader } from '../db/session-row-reader.js';
import {
  type LoadedSession,
  type SessionData,
  SessionStore,
  type SessionWrite,
  type StoredUserSession,
  type UserSessionsFilter,
} from '../session.store.js';
import type { TypeOrmSessionStore } from '../db/typeorm-session.store.js';

/** How long an entry stays cached at most, by default: five minutes. */
const DEFAULT_ENTRY_TTL_MS = 300_000;

/** Options of a `CachedDbSessionStore`. */
export interface CachedDbSessionStoreOptions {
  /**
   * The store made `cache` (`openSessionCache()`), and closes it when the
   * app shuts down.
   * @default false
   */
  ownsCache?: boolean;
  /**
   * Milliseconds one cache operation may take before the store counts the
   * cache as failing and goes on with the database.
   * @default 1000
   */
  timeoutMs?: number;
  /**
   * Milliseconds the store goes without a cache that failed before it
   * tries it again.
   * @default 2000
   */
  retryIntervalMs?: number;
  /**
   * The longest an entry stays cached, in milliseconds (never past its
   * row's expiry). It bounds how long an entry can outlive a write whose
   * drop of it failed: by an app instance that could not reach the cache,
   * or stopped, before it dropped the entry.
   * @default 300000 (five minutes)
   */
  entryTtlMs?: number;
  /**
   * With a cache the app gave (not `ownsCache`): the most sessions written
   * during a cache outage whose entries are dropped when the cache is back.
   * A cache of the store's own is cleared instead.
   * @default 10000
   */
  maxStaleKeys?: number;
  /**
   * The clock of the retries, in milliseconds.
   * @default Date.now
   */
  now?: () => number;
}

/**
 * The `'cached_db'` store, as Django's: sessions in PostgreSQL (the `'db'`
 * store, whose guarantees hold unchanged) with a cache in front that serves
 * reads.
 *
 * Every write goes to the database first, then drops the session's cache
 * entry, so the cache never holds a whole session older than its row (a
 * delta write keeps a concurrent writer's keys, and the cache cannot undo
 * that). A read is served by the cache, or by the row, which then refills
 * the cache for the time the row has left by the database's clock (or
 * `entryTtlMs`, if shorter): an entry never outlives its session. A read
 * that raced with a write of the same session does not leave its entry: in
 * this process the write voids the refill; in another, the row's version,
 * read again after the refill, no longer matches, and the entry is dropped.
 *
 * A failing cache is never an error: the store warns once, goes on with the
 * database alone, and tries the cache again every `retryIntervalMs`. Before
 * the cache serves again, the entries the outage may have left stale are
 * dropped: a cache of the store's own is cleared (which also drops those
 * other app instances left), an app's cache loses the entries of the
 * sessions this instance wrote (see `ResilientSessionCache`). An entry
 * lives `entryTtlMs` at most, which bounds what no instance could drop (one
 * that crashed in an outage). Expired rows are purged by cleanup, through
 * `database`.
 */
export class CachedDbSessionStore
  extends SessionStore
  implements OnApplicationShutdown
{
  private readonly rows: SessionRowReader;
  private readonly cached: ResilientSessionCache;
  /** `database`, drawing the keys of new sessions from this store's `newSessionKey()`. */
  private readonly creator: TypeOrmSessionStore;

  constructor(
    readonly database: TypeOrmSessionStore,
    readonly cache: SessionKeyv,
    private readonly options: CachedDbSessionStoreOptions = {},
  ) {
    super();
    this.rows = new SessionRowReader(database);
    this.cached = new ResilientSessionCache(
      new SessionCacheEntries(cache, options.timeoutMs),
      {
        retryIntervalMs: options.retryIntervalMs ?? 2000,
        recovery: options.ownsCache ? 'clear' : 'keys',
        maxStaleKeys: options.maxStaleKeys ?? 10_000,
        now: options.now ?? Date.now,
      },
    );
    // The 'db' store's create() asks its own newSessionKey() for each
    // candidate key; this view of it asks this store's, which is the hook
    // of the store the app (or a test forcing collisions) sees.
    this.creator = Object.create(database, {
      newSessionKey: { value: () => this.newSessionKey() },
    }) as TypeOrmSessionStore;
    warnIfErrorsHidden(cache);
  }

  async load(key: string): Promise<SessionData | null> {
    return (await this.loadWithExpiry(key))?.data ?? null;
  }

  /**
   * `load()`, with the seconds left when the row was read (not when the
   * cache served the session: its entries do not keep the row's expiry, so
   * `touchAfter` refreshes on the reads that reach the row, at least one
   * per `entryTtlMs`).
   */
  override async loadWithExpiry(key: string): Promise<LoadedSession | null> {
    // The cache, like the table, holds sessions under their stored keys.
    const stored = this.database.storedKeyOf(key);
    const cached = await this.cached.get(stored);
    if (cached !== undefined) {
      return { data: cached, expiresIn: undefined };
    }
    const ticket = this.cached.ticket(stored);
    try {
      await this.database.migrateKey(key);
      const row = await this.rows.read(stored);
      if (row === null) {
        return null;
      }
      const data = parseSessionData(row.data);
      if (data === null) {
        // Corrupt data: an empty session and a warning, as in 'db'; not
        // cached, so the warning is not lost on later reads.
        return { data: decodeSessionData(row.data), expiresIn: undefined };
      }
      const expiresAt = Math.min(
        row.expiresAt,
        performance.now() + (this.options.entryTtlMs ?? DEFAULT_ENTRY_TTL_MS),
      );
      if (await this.cached.refill(ticket, row.data, expiresAt)) {
        await this.dropIfRewritten(stored, row.version);
      }
      return {
        data,
        expiresIn: (row.expiresAt - performance.now()) / 1000,
      };
    } finally {
      this.cached.release(ticket);
    }
  }

  /**
   * Another process may have written (or deleted) the row after this one
   * read it, and dropped the entry before this one set it: the entry would
   * then hold the older session until the next write. The row's version,
   * read again once the entry is set, tells; such an entry is dropped, as
   * is one whose row cannot be read again now. (A write after this second
   * read drops the entry itself.)
   */
  private async dropIfRewritten(key: string, version: string): Promise<void> {
    const row = await this.rows.read(key).catch(() => undefined);
    if (row?.version !== version) {
      await this.cached.invalidate(key);
    }
  }

  async exists(key: string): Promise<boolean> {
    return (
      (await this.cached.has(this.database.storedKeyOf(key))) ||
      this.database.exists(key)
    );
  }

  /** Creates the row; the cache gets the session on its first read. */
  create(write: SessionWrite): Promise<string> {
    return this.creator.create(write);
  }

  async save(key: string, write: SessionWrite): Promise<string | null> {
    const saved = await this.database.save(key, write);
    await this.cached.invalidate(this.database.storedKeyOf(key));
    return saved;
  }

  async delete(key: string): Promise<boolean> {
    const deleted = await this.database.delete(key);
    await this.cached.invalidate(this.database.storedKeyOf(key));
    return deleted;
  }

  async deleteIfEmpty(key: string): Promise<boolean> {
    const deleted = await this.database.deleteIfEmpty(key);
    if (deleted) {
      await this.cached.invalidate(this.database.storedKeyOf(key));
    }
    return deleted;
  }

  override get hashesKeys(): boolean {
    return this.database.hashesKeys;
  }

  override storedKeyOf(key: string): string {
    return this.database.storedKeyOf(key);
  }

  override get findsUserSessions(): boolean {
    return this.database.findsUserSessions;
  }

  override get limitsLifetime(): boolean {
    return this.database.limitsLifetime;
  }

  override listUserSessions(userId: string): Promise<StoredUserSession[]> {
    return this.database.listUserSessions(userId);
  }

  /** Expires the rows, then drops the entries of the sessions expired. */
  override async expireUserSessions(
    userId: string,
    filter: UserSessionsFilter = {},
  ): Promise<number> {
    const keys = await this.database.expireUserSessionKeys(userId, filter);
    await Promise.all(keys.map((key) => this.cached.invalidate(key)));
    return keys.length;
  }

  /** @internal The database's table, which the cleanup purges. */
  override get sessionTable(): SessionTable {
    return this.database.sessionTable;
  }

  /** Deletes the expired rows; their entries expire with them. */
  clearExpired(): Promise<number> {
    return this.database.clearExpired();
  }

  /** Closes the cache if the store made it. */
  async onApplicationShutdown(): Promise<void> {
    if (this.options.ownsCache) {
      await closeSessionCache(this.cache);
    }
  }
}
