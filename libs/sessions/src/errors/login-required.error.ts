import { SESSIONS_MESSAGES } from './sessions.messages.js';
import { SessionsError } from './sessions.error.js';

/**
 * `LoggedInGuard` refused a request whose session has no logged-in user.
 *
 * It carries the shape of an HTTP error (`status`, `statusCode`, `expose`):
 * Nest answers it with `401 Unauthorized`, as `SessionsExceptionFilter` does.
 * An app that sends browsers to a login page catches it in a filter of its
 * own (`@Catch(LoginRequiredError)`) and redirects.
 */
export class LoginRequiredError extends SessionsError {
  readonly status = 401;
  readonly statusCode = 401;
  readonly expose = true;

  constructor() {
    super(SESSIONS_MESSAGES.loginRequired());
  }
}
