import { SESSIONS_MESSAGES } from './sessions.messages.js';
import { SessionsError } from './sessions.error.js';

/**
 * `CsrfGuard` refused an unsafe request: its origin is not the site's, or its
 * CSRF token is missing or is not the session's. The message says which.
 *
 * It carries the shape of an HTTP error (`status`, `statusCode`, `expose`):
 * Nest answers it with `403 Forbidden`, as `SessionsExceptionFilter` does.
 */
export class CsrfError extends SessionsError {
  readonly status = 403;
  readonly statusCode = 403;
  readonly expose = true;

  constructor(reason: string) {
    super(SESSIONS_MESSAGES.csrfRefused(reason));
  }
}
