import { SESSIONS_MESSAGES } from './sessions.messages.js';
import { SessionsError } from './sessions.error.js';

/**
 * The session was deleted (logged out in a concurrent request, or purged as
 * expired) while this request was using it, so its changes were not saved:
 * saving would bring a deleted session back to life.
 *
 * It carries the shape of an HTTP error (`status`, `statusCode`, `expose`), so
 * Nest answers it with `400 Bad Request` and this message, as Django does.
 */
export class SessionInterruptedError extends SessionsError {
  readonly status = 400;
  readonly statusCode = 400;
  readonly expose = true;

  constructor() {
    super(SESSIONS_MESSAGES.sessionInterrupted());
  }
}
