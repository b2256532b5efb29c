import { SESSIONS_MESSAGES } from './sessions.messages.js';
import { SessionsError } from './sessions.error.js';

/**
 * The `'signed_cookies'` store was asked to put a session in a cookie larger
 * than browsers keep: they drop such a cookie without a word, and the visitor
 * would silently lose the session. Thrown on save, before any cookie is set.
 */
export class SessionCookieTooLargeError extends SessionsError {
  constructor(
    /** The cookie's name. */
    readonly cookieName: string,
    /** The bytes the cookie's name and value would take. */
    readonly size: number,
    /** The bytes a browser keeps for one cookie. */
    readonly limit: number,
  ) {
    super(SESSIONS_MESSAGES.cookieTooLarge(cookieName, size, limit));
  }
}
