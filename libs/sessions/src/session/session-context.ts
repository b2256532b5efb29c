import { AsyncLocalStorage } from 'node:async_hooks';
import type { Session } from './session.js';

/** What the current request's session is found through. */
export interface CurrentRequestSession {
  session(): Promise<Session>;
}

/**
 * Which request is being handled, where the app runs its requests in the
 * context (see `RequestContextService`): the HTTP middleware runs the rest
 * of each request inside `runWithRequestSession()`. One storage serves the
 * whole process: a request runs in one app's middleware, and what it stores
 * holds that app's services. Until a store is first set, Node runs none of
 * its hooks.
 */
const storage = new AsyncLocalStorage<CurrentRequestSession>();

export function runWithRequestSession(
  requestSession: CurrentRequestSession,
  next: () => void,
): void {
  storage.run(requestSession, next);
}

/** The session side of the request being handled, if it runs in the context. */
export function currentRequestSession(): CurrentRequestSession | undefined {
  return storage.getStore();
}
