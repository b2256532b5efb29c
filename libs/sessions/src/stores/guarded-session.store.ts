import { SessionsError } from '../errors/sessions.error.js';
import { SessionStoreError } from '../errors/session-store.error.js';
import {
  type LoadedSession,
  type SessionData,
  SessionStore,
  type SessionWrite,
  type StoredUserSession,
  type UserSessionsFilter,
} from './session.store.js';

/**
 * Wraps the configured store so that whatever it throws reaches the app as a
 * `SessionStoreError` (with the original as `cause`, minus the statement
 * parameters drivers attach), the same for every store.
 */
export class GuardedSessionStore extends SessionStore {
  constructor(private readonly inner: SessionStore) {
    super();
  }

  load(key: string): Promise<SessionData | null> {
    return guard('load the session', () => this.inner.load(key));
  }

  override loadWithExpiry(key: string): Promise<LoadedSession | null> {
    return guard('load the session', () => this.inner.loadWithExpiry(key));
  }

  override get limitsLifetime(): boolean {
    return this.inner.limitsLifetime;
  }

  override get hashesKeys(): boolean {
    return this.inner.hashesKeys;
  }

  override storedKeyOf(key: string): string {
    return this.inner.storedKeyOf(key);
  }

  exists(key: string): Promise<boolean> {
    return guard('check whether the session exists', () =>
      this.inner.exists(key),
    );
  }

  create(write: SessionWrite): Promise<string> {
    return guard('create the session', () => this.inner.create(write));
  }

  save(key: string, write: SessionWrite): Promise<string | null> {
    return guard('save the session', () => this.inner.save(key, write));
  }

  delete(key: string): Promise<boolean> {
    return guard('delete the session', () => this.inner.delete(key));
  }

  deleteIfEmpty(key: string): Promise<boolean> {
    return guard('delete the emptied session', () =>
      this.inner.deleteIfEmpty(key),
    );
  }

  clearExpired(): Promise<number> {
    return guard('clear the expired sessions', () => this.inner.clearExpired());
  }

  override get findsUserSessions(): boolean {
    return this.inner.findsUserSessions;
  }

  override listUserSessions(userId: string): Promise<StoredUserSession[]> {
    return guard("list the user's sessions", () =>
      this.inner.listUserSessions(userId),
    );
  }

  override expireUserSessions(
    userId: string,
    filter: UserSessionsFilter = {},
  ): Promise<number> {
    return guard("delete the user's sessions", () =>
      this.inner.expireUserSessions(userId, filter),
    );
  }

  protected override get storeName(): string {
    return this.inner.constructor.name;
  }

  override get expiresByItself(): boolean {
    return this.inner.expiresByItself;
  }

  override acceptsKey(key: string): boolean {
    return this.inner.acceptsKey(key);
  }
}

async function guard<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof SessionsError
      ? error
      : new SessionStoreError(operation, error);
  }
}
