import type { Keyv } from 'keyv';
import {
  type SessionData,
  SessionStore,
  type SessionWrite,
} from './session.store.js';

/** SKELETON: being built. The `'cache'` store: sessions in a Keyv cache (Redis, or memory), expired by TTL. */
export class CacheSessionStore extends SessionStore {
  /** `ownsCache`: the store made `cache`, and closes it when the app shuts down. */
  constructor(
    readonly cache: Keyv,
    private readonly ownership: { ownsCache?: boolean } = {},
  ) {
    super();
  }

  load(key: string): Promise<SessionData | null> {
    throw new Error(
      `${this.constructor.name}.load: being built (${key.length})`,
    );
  }

  exists(key: string): Promise<boolean> {
    throw new Error(
      `${this.constructor.name}.exists: being built (${key.length})`,
    );
  }

  create(write: SessionWrite): Promise<string> {
    throw new Error(
      `${this.constructor.name}.create: being built (${typeof write})`,
    );
  }

  save(key: string, write: SessionWrite): Promise<string | null> {
    throw new Error(
      `${this.constructor.name}.save: being built (${key.length}, ${typeof write})`,
    );
  }

  delete(key: string): Promise<boolean> {
    throw new Error(
      `${this.constructor.name}.delete: being built (${key.length})`,
    );
  }

  deleteIfEmpty(key: string): Promise<boolean> {
    throw new Error(
      `${this.constructor.name}.deleteIfEmpty: being built (${key.length})`,
    );
  }

  clearExpired(): Promise<number> {
    throw new Error(`${this.constructor.name}.clearExpired: being built`);
  }
}
