import { SESSIONS_MESSAGES } from './sessions.messages.js';
import { SessionsError } from './sessions.error.js';

/**
 * A value put in a session cannot be stored as JSON (a `BigInt`, a function,
 * `undefined`, a circular structure...), or text PostgreSQL refuses (a NUL
 * character, a lone surrogate). Thrown when the value is set, so the stack
 * points at the code that set it, before anything is written.
 *
 * Such text usually comes from the client, so it carries the shape of an
 * HTTP error (`status`, `statusCode`, `expose`): Nest answers it with
 * `400 Bad Request`, as `SessionsExceptionFilter` does.
 */
export class SessionDataError extends SessionsError {
  readonly status = 400;
  readonly statusCode = 400;
  readonly expose = true;

  constructor(key: string, reason: string) {
    super(SESSIONS_MESSAGES.notJson(key, reason));
  }
}
