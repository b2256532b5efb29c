import type { Keyv } from 'keyv';
import type { TypeOrmSessionStore } from './typeorm-session.store.js';
import {
  type SessionData,
  SessionStore,
  type SessionWrite,
} from './session.store.js';

/** SKELETON: being built. The `'cached_db'` store: PostgreSQL, written through to a cache that serves reads. */
export class CachedDbSessionStore extends SessionStore {
  constructor(
    readonly database: TypeOrmSessionStore,
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
