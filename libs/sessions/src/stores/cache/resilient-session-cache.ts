import { Logger } from '@nestjs/common';
import { maskCredentials } from '../../errors/mask-credentials.js';
import { SESSIONS_LOGGER_CONTEXT } from '../../sessions.constants.js';
import { type SessionCacheEntries } from './session-cache-entries.js';
import { parseSessionText } from '../session-data.js';
import type { SessionData } from '../session.store.js';

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
   * What goes before the cache serves again: `'clear'` deletes every entry
   * of its namespace (a cache of the module's own, which holds sessions
   * only), so that the entries other app instances left stale go too;
   * `'keys'` deletes the entries of the sessions this instance wrote
   * meanwhile, up to `maxStaleKeys` of them (an app's Keyv, which may hold
   * other data).
   */
  readonly recovery: 'clear' | 'keys';
  /** With `'keys'`: the most sessions remembered; entries of others expire by TTL. */
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
 * When a cache call fails (a write the cache may still apply later
 * included), the cache is left alone for `retryIntervalMs`, with one
 * warning; reads and writes go on with the database. Entries may be stale
 * by then: the session written meanwhile kept its old entry, a refill that
 * timed out may still land. So, before the cache serves again, a recovery
 * in the background drops them (see `recovery`); once it has, a second
 * warning says the cache is back.
 */
export class ResilientSessionCache {
  private failing = false;
  private retryAt = 0;
  private recovery: Promise<void> | undefined;
  /** With `'keys'` recovery: sessions whose entries may be older than their rows. */
  private readonly stale = new Set<string>();
  /** With `'keys'` recovery: sessions written past `maxStaleKeys`. */
  private untracked = 0;
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
    if (!this.usable()) {
      return undefined;
    }
    try {
      return parseSessionText(await this.entries.get(key)) ?? undefined;
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  /** Whether `key` is cached; `false` when the cache cannot be used now. */
  async has(key: string): Promise<boolean> {
    if (!this.usable()) {
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
    if (!ticket.valid || !this.usable()) {
      return false;
    }
    try {
      await this.entries.set(ticket.key, text, expiresAt - performance.now());
    } catch (error) {
      // A write that timed out may still be applied, unchecked.
      this.remember(ticket.key);
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
   * next read refills it from the row. When that cannot be done now, the
   * entry is dropped before the cache is used again.
   */
  async invalidate(key: string): Promise<void> {
    for (const ticket of this.tickets.get(key) ?? []) {
      ticket.valid = false;
    }
    if (!this.usable()) {
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
   * until `retryIntervalMs` has passed and a recovery has dropped what the
   * outage left stale. The first call after the interval starts it.
   */
  private usable(): boolean {
    if (!this.failing) {
      return true;
    }
    if (this.recovery === undefined && this.options.now() >= this.retryAt) {
      this.recovery = this.recover().finally(() => {
        this.recovery = undefined;
      });
    }
    return false;
  }

  /** Drops the stale entries, or checks that the cache answers; then serves again. */
  private async recover(): Promise<void> {
    let dropped = 0;
    try {
      if (this.options.recovery === 'clear') {
        // Sessions written while it clears lose their entries to it.
        await this.entries.clear();
      } else {
        // Keys written meanwhile are remembered again: go on until none are.
        await this.entries.has(PROBE_KEY);
        while (this.stale.size > 0) {
          const keys = [...this.stale];
          await this.entries.deleteMany(keys);
          for (const key of keys) {
            this.stale.delete(key);
          }
          dropped += keys.length;
        }
      }
    } catch {
      this.retryAt = this.options.now() + this.options.retryIntervalMs;
      return;
    }
    this.failing = false;
    logger.warn(
      `The session cache answers again: 'cached_db' reads from it again, ${this.recoveryNote(dropped)}.`,
    );
    this.untracked = 0;
  }

  private remember(key: string): void {
    if (this.options.recovery === 'clear') {
      return;
    }
    if (this.stale.size < this.options.maxStaleKeys || this.stale.has(key)) {
      this.stale.add(key);
    } else {
      this.untracked += 1;
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

  /** What the recovery dropped, for its log line. */
  private recoveryNote(dropped: number): string {
    if (this.options.recovery === 'clear') {
      return 'after clearing it of the sessions cached before it failed';
    }
    const note = `after dropping the entries of ${dropped} session${dropped === 1 ? '' : 's'} written while it failed`;
    return this.untracked === 0
      ? note
      : `${note} (${this.untracked} more were not tracked: their entries may be stale until they expire)`;
  }
}

/** The error's message, with any credentials of a URL in it masked. */
function describe(error: unknown): string {
  return maskCredentials(
    error instanceof Error ? error.message : String(error),
  );
}
