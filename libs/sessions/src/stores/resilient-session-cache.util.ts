import { Logger } from '@nestjs/common';
import { SESSIONS_LOGGER_CONTEXT } from '../sessions.constants.js';
import {
  type SessionCacheEntries,
  storedObject,
} from './session-cache-entries.util.js';
import type { SessionData } from './session.store.js';

/**
 * A refill's claim to store what it read from the database: a write of the
 * same session that comes after the read voids it (`invalidate()`), so that
 * what the read saw is never cached over the write.
 */
export interface RefillTicket {
  readonly key: string;
  valid: boolean;
}

/** How a `ResilientSessionCache` goes without its cache and back. */
export interface ResilientSessionCacheOptions {
  /** Milliseconds without the cache after it failed, before it is tried again. */
  readonly retryIntervalMs: number;
  /**
   * Sessions written without their entry being dropped, past which the
   * whole namespace is cleared when the cache is back, instead of those
   * entries one by one (no limit for a cache without a namespace: clearing
   * it would delete other data).
   */
  readonly maxStaleKeys: number;
  /** The clock of the retries, in milliseconds. */
  readonly now: () => number;
}

/**
 * Looked up to see whether the cache answers again. No session has this
 * key: session keys have no '-'.
 */
const PROBE_KEY = 'cache-probe';

const logger = new Logger(SESSIONS_LOGGER_CONTEXT);

/**
 * The cache side of the `'cached_db'` store, which never fails: the
 * database holds the sessions and the cache only spares reads of it.
 *
 * When a cache call fails, the cache is left alone for `retryIntervalMs`,
 * with one warning; reads and writes go on with the database. A session
 * written meanwhile may have an old entry left in the cache (one that
 * outlived the outage, on a Redis with persistence), so its key is
 * remembered, and before the cache serves anything again those entries
 * are deleted (or the namespace cleared, past `maxStaleKeys`). The first
 * call after `retryIntervalMs` does that; once the cache has answered, a
 * second warning says it is back.
 */
export class ResilientSessionCache {
  private failing = false;
  private retryAt = 0;
  private recovering = false;
  /** Keys whose entries may be older than their rows. */
  private readonly stale = new Set<string>();
  /** Too many stale keys to list: the namespace is cleared on recovery. */
  private overflowed = false;
  private readonly tickets = new Map<string, Set<RefillTicket>>();

  constructor(
    private readonly entries: SessionCacheEntries,
    private readonly options: ResilientSessionCacheOptions,
  ) {}

  /**
   * The cached data of `key`; `undefined` when it is not cached (or its
   * entry is not a session's data) or when the cache cannot be used now.
   */
  async get(key: string): Promise<SessionData | undefined> {
    if (!(await this.usable())) {
      return undefined;
    }
    try {
      return storedObject(await this.entries.get(key));
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  /** Whether `key` is cached; `false` when the cache cannot be used now. */
  async has(key: string): Promise<boolean> {
    if (!(await this.usable())) {
      return false;
    }
    try {
      return await this.entries.has(key);
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  /** A ticket to refill `key`; take it before reading the row, release it after. */
  ticket(key: string): RefillTicket {
    const ticket: RefillTicket = { key, valid: true };
    const tickets = this.tickets.get(key);
    if (tickets === undefined) {
      this.tickets.set(key, new Set([ticket]));
    } else {
      tickets.add(ticket);
    }
    return ticket;
  }

  release(ticket: RefillTicket): void {
    const tickets = this.tickets.get(ticket.key);
    tickets?.delete(ticket);
    if (tickets?.size === 0) {
      this.tickets.delete(ticket.key);
    }
  }

  /**
   * Caches `text`, read from the row, until `expiresAt` (on the
   * `performance.now()` clock), unless a write voided the ticket. Resolves
   * with whether the entry stands, for the caller to check that no other
   * process wrote the row meanwhile.
   */
  async refill(
    ticket: RefillTicket,
    text: string,
    expiresAt: number,
  ): Promise<boolean> {
    if (!ticket.valid || !(await this.usable()) || !ticket.valid) {
      return false;
    }
    try {
      await this.entries.set(ticket.key, text, expiresAt - performance.now());
    } catch (error) {
      this.fail(error);
      return false;
    }
    // A write that came while the entry was being set deleted it, but its
    // delete may have reached the cache first.
    if (!ticket.valid) {
      await this.invalidate(ticket.key);
      return false;
    }
    return true;
  }

  /**
   * Drops the entry of a session just written to the database, so that the
   * next read refills it from the row. When that cannot be done now, the key
   * is remembered and its entry dropped before the cache is used again.
   */
  async invalidate(key: string): Promise<void> {
    for (const ticket of this.tickets.get(key) ?? []) {
      ticket.valid = false;
    }
    if (!(await this.usable())) {
      this.remember(key);
      return;
    }
    try {
      await this.entries.delete(key);
    } catch (error) {
      this.remember(key);
      this.fail(error);
    }
  }

  /**
   * Whether the cache may be used: yes while it works; after a failure, no
   * until `retryIntervalMs` has passed, and then only once the entries left
   * stale by the outage are gone.
   */
  private async usable(): Promise<boolean> {
    if (!this.failing) {
      return true;
    }
    if (this.recovering || this.options.now() < this.retryAt) {
      return false;
    }
    this.recovering = true;
    try {
      return await this.recover();
    } finally {
      this.recovering = false;
    }
  }

  /** Deletes the stale entries, or checks that the cache answers; true if it did. */
  private async recover(): Promise<boolean> {
    let dropped: number | 'all' = 0;
    let answered = false;
    try {
      for (;;) {
        if (this.overflowed) {
          // Keys written while clearing are remembered again, one by one.
          this.overflowed = false;
          try {
            await this.entries.clear();
          } catch (error) {
            this.overflowed = true;
            throw error;
          }
          dropped = 'all';
        } else if (this.stale.size > 0) {
          const keys = [...this.stale];
          await this.entries.deleteMany(keys);
          // Nothing refills the cache before it is back, so an entry
          // deleted here stays deleted, whatever was written meanwhile.
          for (const key of keys) {
            this.stale.delete(key);
          }
          dropped = dropped === 'all' ? dropped : dropped + keys.length;
        } else if (!answered) {
          await this.entries.has(PROBE_KEY);
        } else {
          break;
        }
        answered = true;
      }
    } catch {
      this.retryAt = this.options.now() + this.options.retryIntervalMs;
      return false;
    }
    this.failing = false;
    logger.warn(
      `The session cache answers again: 'cached_db' reads from it again${droppedNote(dropped)}.`,
    );
    return true;
  }

  private remember(key: string): void {
    if (this.overflowed) {
      return;
    }
    this.stale.add(key);
    if (
      this.stale.size > this.options.maxStaleKeys &&
      !this.entries.sharesKeys
    ) {
      this.overflowed = true;
      this.stale.clear();
    }
  }

  private fail(error: unknown): void {
    this.retryAt = this.options.now() + this.options.retryIntervalMs;
    if (this.failing) {
      return;
    }
    this.failing = true;
    logger.warn(
      `The session cache failed (${describe(error)}): 'cached_db' goes on with the database alone, ` +
        `and tries the cache again every ${this.options.retryIntervalMs} ms.`,
    );
  }
}

/** The error's message, with any credentials of a URL in it masked. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\/\/[^/\s@]*@/g, '//***@');
}

/** What the recovery dropped, for its log line. */
function droppedNote(dropped: number | 'all'): string {
  if (dropped === 'all') {
    return ', after clearing it of the entries of sessions written while it failed';
  }
  if (dropped === 0) {
    return '';
  }
  return `, after dropping the entries of ${dropped} session${dropped === 1 ? '' : 's'} written while it failed`;
}
