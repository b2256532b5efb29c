import { AsyncLocalStorage } from 'node:async_hooks';
import type { Session } from './session.js';

/**
 * The session side of one request: its session, loaded when something first
 * asks for it. The HTTP layer opens one for every request and, unless the
 * app turns the request context off (`requestContext: false`), runs the
 * rest of the request in its context, where `SessionService.current()`
 * finds it: in services, guards, interceptors, pipes, filters and handlers
 * alike.
 */
export abstract class RequestSession {
  /**
   * One context for the process: a request runs in one app's middleware,
   * and its request session holds that app's services.
   */
  private static readonly context = new AsyncLocalStorage<RequestSession>();

  /** The request session of the request being handled, if it runs in the context. */
  static current(): RequestSession | undefined {
    return RequestSession.context.getStore();
  }

  /** Runs `next`, the rest of the request, in this request session's context. */
  enter(next: () => void): void {
    RequestSession.context.run(this, next);
  }

  /** The request's session, loaded on the first call; later calls share it. */
  abstract session(): Promise<Session>;
}
