import { SessionCookieTooLargeError } from '../../errors/session-cookie-too-large.error.js';
import {
  applySessionChanges,
  decodeSessionData,
  expiryInstant,
  parseSessionData,
} from '../session-data.js';
import { SessionSigner } from './session-signer.js';
import {
  type SessionData,
  type SessionExpiry,
  SessionStore,
  type SessionWrite,
} from '../session.store.js';

/** What the `'signed_cookies'` store needs. */
export interface SignedCookieSessionStoreOptions {
  /** The key new cookies are signed with (at least 32 characters). */
  readonly secret: string;
  /** Former secrets whose signatures still verify. */
  readonly fallbackSecrets?: readonly string[];
  /** The session cookie's name: it counts in the 4096 bytes a browser keeps. */
  readonly cookieName: string;
}

/**
 * The bytes of one cookie's name and value that every browser keeps
 * (RFC 6265 asks for at least 4096); a larger cookie is dropped silently.
 */
export const MAX_COOKIE_BYTES = 4096;

/**
 * The `'signed_cookies'` store (Django's `signed_cookies` engine): the whole
 * session travels in the cookie, as signed JSON, and nothing is kept on the
 * server. The "key" of a session is the cookie's value; each save returns a
 * new one.
 *
 * The data is signed, not encrypted: the visitor can read it, but not change
 * it. The signature (HMAC-SHA256, checked in constant time) covers the data
 * and its expiry; a cookie that is tampered with, truncated, signed with an
 * unknown secret or expired loads as no session. New cookies are signed with
 * `secret`; cookies signed with one of `fallbackSecrets` still verify, so a
 * secret can be rotated without logging everyone out.
 *
 * Limits: a session cannot be revoked from the server (`delete()` has
 * nothing to delete; a copy of the cookie stays valid until it expires, and
 * so does an older value of the same session); of two concurrent requests
 * that change it, the one whose cookie the browser keeps last wins; and a
 * session must fit in a cookie: a save that would exceed `MAX_COOKIE_BYTES`
 * throws `SessionCookieTooLargeError` instead.
 */
export class SignedCookieSessionStore extends SessionStore {
  private readonly signer: SessionSigner;

  constructor(private readonly options: SignedCookieSessionStoreOptions) {
    super();
    this.signer = new SessionSigner([
      options.secret,
      ...(options.fallbackSecrets ?? []),
    ]);
  }

  /** Cookies expire in the browser; there is nothing on the server to clear. */
  override get expiresByItself(): boolean {
    return true;
  }

  /** A signed value's shape, within a cookie's size; its signature is checked on use. */
  override acceptsKey(key: string): boolean {
    return key.length <= MAX_COOKIE_BYTES && this.signer.isWellFormed(key);
  }

  load(key: string): Promise<SessionData | null> {
    const opened = this.signer.open(key);
    return Promise.resolve(
      opened === null ? null : decodeSessionData(opened.json),
    );
  }

  exists(key: string): Promise<boolean> {
    return Promise.resolve(this.signer.open(key) !== null);
  }

  /** A new cookie value; there are no server-side keys, so `newSessionKey()` is not used. */
  create(write: SessionWrite): Promise<string> {
    return settle(() => this.seal(write.data, write.expiry));
  }

  /** The cookie value of the session after the changes, or `null` if `key` does not verify or has expired. */
  save(key: string, write: SessionWrite): Promise<string | null> {
    return settle(() => {
      const opened = this.signer.open(key);
      if (opened === null) {
        return null;
      }
      const data = applySessionChanges(
        parseSessionData(opened.json),
        write.changes,
      );
      return this.seal(data, write.expiry);
    });
  }

  /**
   * Whether `key` is a live session. Nothing is deleted: the client holds
   * the session, and a copy of the cookie stays valid until it expires.
   */
  delete(key: string): Promise<boolean> {
    return this.exists(key);
  }

  /** Whether `key` is a live session holding no data: the client's cookie is then expired. */
  deleteIfEmpty(key: string): Promise<boolean> {
    const opened = this.signer.open(key);
    const data = opened === null ? null : parseSessionData(opened.json);
    return Promise.resolve(data !== null && Object.keys(data).length === 0);
  }

  clearExpired(): Promise<number> {
    return Promise.resolve(0);
  }

  /** The signed cookie value, or a `SessionCookieTooLargeError` if it would not fit in a cookie. */
  private seal(data: SessionData, expiry: SessionExpiry): string {
    const value = this.signer.sign(JSON.stringify(data), expiryInstant(expiry));
    const { cookieName } = this.options;
    // The value is ASCII (base64url and dots): one byte per character.
    const size = Buffer.byteLength(cookieName) + 1 + value.length;
    if (size > MAX_COOKIE_BYTES) {
      throw new SessionCookieTooLargeError(cookieName, size, MAX_COOKIE_BYTES);
    }
    return value;
  }
}

/** `compute()`'s result, or its error, as a promise: the store's errors reject, never throw. */
function settle<T>(compute: () => T): Promise<T> {
  return new Promise((resolve) => resolve(compute()));
}
