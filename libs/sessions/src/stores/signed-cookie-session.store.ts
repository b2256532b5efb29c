import {
  type SessionData,
  SessionStore,
  type SessionWrite,
} from './session.store.js';

/** What the `'signed_cookies'` store needs. */
export interface SignedCookieSessionStoreOptions {
  /** The key new cookies are signed with (at least 32 characters). */
  readonly secret: string;
  /** Former secrets whose signatures still verify. */
  readonly fallbackSecrets?: readonly string[];
  /** The session cookie's name: it counts in the 4096 bytes a browser keeps. */
  readonly cookieName: string;
}

/** SKELETON: being built. The `'signed_cookies'` store: the whole session in a signed cookie. */
export class SignedCookieSessionStore extends SessionStore {
  constructor(private readonly options: SignedCookieSessionStoreOptions) {
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
