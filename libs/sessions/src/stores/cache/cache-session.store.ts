import type { OnApplicationShutdown } from '@nestjs/common';
import type { SessionKeyv } from './session-keyv.interface.js';
import { KeyQueue } from '../key-queue.js';
import {
  applySessionChanges,
  decodeSessionData,
  expiryInstant,
  parseSessionText,
} from '../session-data.js';
import {
  SessionCacheEntries,
  UNREADABLE_ENTRY,
} from './session-cache-entries.js';
import { closeSessionCache, warnIfErrorsHidden } from './session-cache.js';
import {
  type SessionData,
  SessionStore,
  type SessionWrite,
} from '../session.store.js';

/** Options of a `CacheSessionStore`. */
export interface CacheSessionStoreOptions {
  /**
   * The store made `cache` (`openSessionCache()`), and closes it when the
   * app shuts down.
   * @default false
   */
  ownsCache?: boolean;
  /**
   * Milliseconds one cache operation may take before the store gives up
   * with a `SessionCacheTimeoutError`.
   * @default 1000
   */
  timeoutMs?: number;
}

/**
 * The `'cache'` store: sessions in a Keyv cache only, as Django's `cache`
 * session engine: Redis (`@keyv/redis`) for several processes, or this
 * process's memory for one. Each session is the JSON text of its data under
 * its key, with a TTL equal to the session's expiry, so expired sessions
 * leave by themselves and cleanup has nothing to do.
 *
 * A save is a read, a change and a write of the session's entry: it applies
 * the keys set and removed to the stored data, and writes nothing when the
 * entry is gone (a deleted or expired session is never re-created). Within
 * one process the operations on one session run one at a time, so
 * concurrent requests all keep their change. Across processes they can
 * interleave (Keyv has no atomic read-change-write), and a concurrent
 * change can then be lost, or a save can write back a session another
 * process deleted meanwhile (Django's cache engine has the same limits):
 * use `'db'` or `'cached_db'` where that matters.
 *
 * A failing cache is an error for the request (Redis down fails at once;
 * an operation past `timeoutMs` fails with a `SessionCacheTimeoutError`).
 */
export class CacheSessionStore
  extends SessionStore
  implements OnApplicationShutdown
{
  private readonly entries: SessionCacheEntries;
  private readonly queue = new KeyQueue();

  constructor(
    readonly cache: SessionKeyv,
    private readonly options: CacheSessionStoreOptions = {},
  ) {
    super();
    this.entries = new SessionCacheEntries(cache, options.timeoutMs);
    warnIfErrorsHidden(cache);
  }

  override get expiresByItself(): boolean {
    return true;
  }

  async load(key: string): Promise<SessionData | null> {
    const value = await this.entries.get(key);
    if (value === undefined) {
      return null;
    }
    return decodeSessionData(value === UNREADABLE_ENTRY ? undefined : value);
  }

  exists(key: string): Promise<boolean> {
    return this.entries.has(key);
  }

  /**
   * Looks each candidate key up before writing it. Keyv has no atomic
   * "set if absent", so two processes drawing the same key at the same
   * instant could both write it; with 32 random characters that takes a
   * broken random number source, which the attempts cap reports.
   */
  create(write: SessionWrite): Promise<string> {
    const text = JSON.stringify(write.data);
    return this.claimNewKey((key) =>
      this.queue.run(key, async () => {
        if (await this.entries.has(key)) {
          return false;
        }
        await this.entries.set(
          key,
          text,
          expiryInstant(write.expiry) - Date.now(),
        );
        return true;
      }),
    );
  }

  save(key: string, write: SessionWrite): Promise<string | null> {
    return this.queue.run(key, async () => {
      const stored = await this.entries.get(key);
      if (stored === undefined) {
        return null;
      }
      const data = applySessionChanges(parseSessionText(stored), write.changes);
      await this.entries.set(
        key,
        JSON.stringify(data),
        expiryInstant(write.expiry) - Date.now(),
      );
      return key;
    });
  }

  delete(key: string): Promise<boolean> {
    return this.queue.run(key, () => this.entries.delete(key));
  }

  deleteIfEmpty(key: string): Promise<boolean> {
    return this.queue.run(key, async () => {
      const data = parseSessionText(await this.entries.get(key));
      if (data === null || Object.keys(data).length > 0) {
        return false;
      }
      return this.entries.delete(key);
    });
  }

  /** Nothing to do: entries leave the cache when their TTL runs out. */
  clearExpired(): Promise<number> {
    return Promise.resolve(0);
  }

  /** Closes the cache if the store made it. */
  async onApplicationShutdown(): Promise<void> {
    if (this.options.ownsCache) {
      await closeSessionCache(this.cache);
    }
  }
}
