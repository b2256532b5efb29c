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
    super(
      `The session cookie '${cookieName}' would take ${size} bytes, over the ${limit} bytes ` +
        'a browser keeps for one cookie (name and value), so it was not set and the session was not saved. ' +
        "Store less in the session (an id, not the record it names), or use a server-side store ('db', 'cached_db', 'cache' or 'file').",
    );
  }
}
