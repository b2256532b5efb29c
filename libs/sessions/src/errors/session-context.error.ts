import { SessionsError } from './sessions.error.js';

/**
 * Why a request session was not found:
 * - `'outside'`: not while an HTTP request is handled (a cron job,
 *   bootstrap, a microservice handler), or without `SessionsModule`;
 * - `'turned-off'`: `SessionService.current()` with `requestContext: false`.
 */
export type SessionContextMissing = 'outside' | 'turned-off';

const MESSAGES: Record<SessionContextMissing, string> = {
  outside:
    'There is no request session here. @CurrentSession() and SessionService.current() work ' +
    'while SessionsModule handles an HTTP request (in services, guards, interceptors, pipes, ' +
    'filters and handlers), with SessionsModule imported in the application module. Elsewhere, use ' +
    'SessionService.load(key) with a known session key.',
  'turned-off':
    'SessionService.current() has no request context in this app: requestContext is false in ' +
    "SessionsModule's options. Remove it (or set it to true), or take the session with " +
    '@CurrentSession(), which needs no context.',
};

/** A request session was asked for where there is none; the message says why. */
export class SessionContextError extends SessionsError {
  constructor(readonly missing: SessionContextMissing = 'outside') {
    super(MESSAGES[missing]);
  }
}
