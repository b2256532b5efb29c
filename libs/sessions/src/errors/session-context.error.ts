import { SESSIONS_MESSAGES } from './sessions.messages.js';
import { SessionsError } from './sessions.error.js';

/**
 * Why a request session was not found:
 * - `'outside'`: not while an HTTP request is handled (a cron job,
 *   bootstrap, a microservice handler), or without `SessionsModule`;
 * - `'turned-off'`: `SessionService.current()` with `requestContext: false`.
 */
export type SessionContextMissing = 'outside' | 'turned-off';

/** A request session was asked for where there is none; the message says why. */
export class SessionContextError extends SessionsError {
  constructor(readonly missing: SessionContextMissing = 'outside') {
    super(SESSIONS_MESSAGES.noRequestSession[missing]);
  }
}
