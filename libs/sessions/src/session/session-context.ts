import { AsyncLocalStorage } from 'node:async_hooks';
import { SessionContextError } from '../errors/session-context.error.js';
import type { Session } from './session.js';

/** What the current request's session is found through. */
export interface CurrentRequestSession {
  session(): Promise<Session>;
}

/**
 * Which request is being handled: the HTTP middleware runs the rest of each
 * request inside `runWithRequestSession()`. One storage serves the whole
 * process: a request runs in one app's middleware, and what it stores holds
 * that app's services.
 */
const storage = new AsyncLocalStorage<CurrentRequestSession>();

export function runWithRequestSession(
  requestSession: CurrentRequestSession,
  next: () => void,
): void {
  storage.run(requestSession, next);
}

/**
 * The session of the request being handled, loaded on the first call of the
 * request; rejects with `SessionContextError` outside of a request.
 */
export function currentSession(): Promise<Session> {
  const requestSession = storage.getStore();
  return requestSession === undefined
    ? Promise.reject(new SessionContextError())
    : requestSession.session();
}
