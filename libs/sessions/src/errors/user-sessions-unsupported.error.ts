import { SESSIONS_MESSAGES } from './sessions.messages.js';
import { SessionsError } from './sessions.error.js';

/**
 * The store cannot find a user's sessions (`SessionService.listUserSessions()`
 * and the revocations): it keeps them where nothing indexes them by user (a
 * cache, files) or with the client (signed cookies), or its entity lacks
 * the users' columns (`AbstractUserSessionEntity`). The message says which.
 */
export class UserSessionsUnsupportedError extends SessionsError {
  constructor(
    readonly store: string,
    message: string = SESSIONS_MESSAGES.userSessionsUnsupported(store),
  ) {
    super(message);
  }
}
