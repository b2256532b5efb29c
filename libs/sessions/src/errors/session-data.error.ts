import { SESSIONS_MESSAGES } from './sessions.messages.js';
import { SessionsError } from './sessions.error.js';

/**
 * A value put in a session cannot be stored as JSON (a `BigInt`, a function,
 * `undefined`, a circular structure...). Thrown when the value is set, so the
 * stack points at the code that set it.
 */
export class SessionDataError extends SessionsError {
  constructor(key: string, reason: string) {
    super(SESSIONS_MESSAGES.notJson(key, reason));
  }
}
