import { SESSIONS_MESSAGES } from './sessions.messages.js';
/**
 * The session cache (Redis, or the app's Keyv) did not answer an operation in
 * time: the server is hung, overloaded or unreachable. The `'cache'` store
 * lets it reach the app (as the `cause` of a `SessionStoreError`); the
 * `'cached_db'` store goes on with the database alone.
 *
 * Not a `SessionsError`, so that `SessionService` wraps it in a
 * `SessionStoreError` like any other failure of a store's backend.
 */
export class SessionCacheTimeoutError extends Error {
  constructor(operation: string, timeoutMs: number) {
    super(SESSIONS_MESSAGES.cacheTimeout(operation, timeoutMs));
    this.name = new.target.name;
  }
}
