import type { EventEmitter } from 'node:events';
import { once } from 'node:events';
import type { SessionKeyv } from './session-keyv.interface.js';
import { SessionCacheTimeoutError } from '../../errors/session-cache-timeout.error.js';
import { withDeadline } from '../deadline.js';
import { isKeyvRedis } from './keyv-import.js';
import { MemoryCacheSweep } from './memory-cache-sweep.js';
import { SESSIONS_MESSAGES } from '../../errors/sessions.messages.js';

/** How long one cache operation may take, by default, before it fails. */
const SESSION_CACHE_TIMEOUT_MS = 1000;

/**
 * How long clearing the sessions' namespace may take: it scans Redis's
 * whole keyspace, about a second per million keys.
 */
const SESSION_CACHE_CLEAR_TIMEOUT_MS = 120_000;

/** What `get()` gives for a stored value that the cache itself cannot decode. */
export const UNREADABLE_ENTRY: unique symbol = Symbol('unreadable entry');

/**
 * The sessions kept in a Keyv: the JSON text of each session's data under
 * its key, with a TTL. Every call fails with a `SessionCacheTimeoutError`
 * when the cache takes longer than `timeoutMs`, so that a hung server never
 * holds a request.
 *
 * On Redis (`@keyv/redis`), calls wait for the client's first connection:
 * a client without an offline queue refuses the commands sent while it
 * connects, which would fail the requests that arrive together at startup.
 * Once it has connected, calls sent while it reconnects fail at once.
 */
export class SessionCacheEntries {
  private readonly sweep: MemoryCacheSweep | undefined;
  /** Nothing left to wait for: the Redis client connected once, or the cache is not on Redis. */
  private ready = false;

  constructor(
    readonly cache: SessionKeyv,
    readonly timeoutMs: number = SESSION_CACHE_TIMEOUT_MS,
  ) {
    this.sweep = MemoryCacheSweep.of(cache);
  }

  /**
   * The value stored under `key`: `undefined` when there is none (or it has
   * expired), `UNREADABLE_ENTRY` when the bytes stored there are not even
   * what Keyv writes (Keyv's deserializer throws a `SyntaxError`).
   */
  async get(key: string): Promise<unknown> {
    try {
      return await this.within('read a session', () => this.cache.get(key));
    } catch (error) {
      if (error instanceof SyntaxError) {
        return UNREADABLE_ENTRY;
      }
      throw error;
    }
  }

  /** Whether a live entry is stored under `key`. */
  has(key: string): Promise<boolean> {
    return this.within('look a session up', () => this.cache.has(key));
  }

  /**
   * Stores `text` under `key` for `ttlMs` milliseconds. With no time left,
   * deletes the entry instead: Keyv stores a TTL of 0 as no expiry at all.
   */
  async set(key: string, text: string, ttlMs: number): Promise<void> {
    // Redis takes whole milliseconds.
    const ttl = Math.floor(ttlMs);
    if (!(ttl >= 1)) {
      await this.delete(key);
      return;
    }
    const stored = await this.within('write a session', () =>
      this.cache.set(key, text, ttl),
    );
    if (stored === false) {
      // A Keyv made without `throwOnErrors` reports a failure only so. A
      // plain Error, as a driver's: SessionService wraps it in a
      // SessionStoreError.
      throw new Error(SESSIONS_MESSAGES.cacheDidNotStore());
    }
    this.sweep?.noteWrite();
  }

  /** Deletes the entry under `key`; resolves with whether there was one. */
  delete(key: string): Promise<boolean> {
    return this.within('delete a session', () => this.cache.delete(key));
  }

  /** Deletes the entries under `keys`. */
  async deleteMany(keys: readonly string[]): Promise<void> {
    await this.within('delete sessions', () =>
      this.cache.deleteMany([...keys]),
    );
  }

  /**
   * Deletes every entry of the cache's namespace, within
   * `SESSION_CACHE_CLEAR_TIMEOUT_MS`. Keyv's Redis adapter reports a
   * failure to clear only as an `error` event, so one seen meanwhile fails
   * the call.
   */
  async clear(): Promise<void> {
    let failure: unknown;
    const onError = (error: unknown): void => {
      failure ??= error;
    };
    this.cache.on('error', onError);
    try {
      await this.within(
        'clear the sessions',
        () => this.cache.clear(),
        SESSION_CACHE_CLEAR_TIMEOUT_MS,
      );
    } finally {
      this.cache.off('error', onError);
    }
    if (failure !== undefined) {
      throw failure instanceof Error
        ? failure
        : new Error(SESSIONS_MESSAGES.cacheDidNotClear(), { cause: failure });
    }
  }

  private async within<T>(
    operation: string,
    work: () => Promise<T>,
    timeoutMs = this.timeoutMs,
  ): Promise<T> {
    return withDeadline(
      this.connected().then(work),
      timeoutMs,
      () => new SessionCacheTimeoutError(operation, timeoutMs),
    );
  }

  /** Resolves once a Redis client has connected for the first time. */
  private async connected(): Promise<void> {
    if (this.ready) {
      return;
    }
    const store: unknown = this.cache.store;
    if (!(await isKeyvRedis(store))) {
      this.ready = true;
      return;
    }
    // Connects, unless a connection is being made already.
    const redis = store as { getClient(): Promise<unknown> };
    const client = (await redis.getClient()) as EventEmitter & {
      isReady: boolean;
    };
    if (!client.isReady) {
      // Rejects on the client's `error` event: the connection failed.
      await once(client, 'ready');
    }
    this.ready = true;
  }
}
