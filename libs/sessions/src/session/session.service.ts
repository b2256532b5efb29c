import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ResolvedSessionsOptions } from '../options/resolve-options.js';
import {
  AUTH_KEYS,
  CSRF_SESSION_KEY,
  SESSIONS_OPTIONS,
} from '../sessions.constants.js';
import { GuardedSessionStore } from '../stores/guarded-session.store.js';
import {
  SessionStore,
  type StoredUserSession,
} from '../stores/session.store.js';
import { hashSessionKey } from '../stores/session-key.js';
import { SessionDataError } from '../errors/session-data.error.js';
import { SessionsConfigurationError } from '../errors/sessions-configuration.error.js';
import { SESSIONS_MESSAGES } from '../errors/sessions.messages.js';
import { SessionContextError } from '../errors/session-context.error.js';
import { RequestSession } from './request-session.js';
import { Session, type SessionSettings } from './session.js';

/** What `login()` records beside the user: the auth hash, and where the login came from. */
export interface LoginOptions {
  /**
   * A value derived from the user's credentials (Django's
   * `get_session_auth_hash()`, e.g. an HMAC of the password hash): with the
   * `auth.currentHash` option, a session whose hash is no longer the user's
   * is logged out.
   */
  authHash?: string;
  /** The client's address (`request.ip`), kept to list the session. */
  ip?: string;
  /** The client's `User-Agent` header, kept to list the session. */
  userAgent?: string;
}

/** A user's live session, as `listUserSessions()` gives it. */
export interface UserSession extends StoredUserSession {
  /** Whether it is the session the list was asked for from. */
  readonly current: boolean;
}

/** The longest user id `login()` takes: the `auth_user_id` column's. */
const MAX_USER_ID_LENGTH = 255;

/**
 * Sessions for any provider: the current request's session, and any stored
 * session by key. A singleton: the current request is found through
 * `AsyncLocalStorage`, not through request scope.
 */
@Injectable()
export class SessionService {
  private readonly store: SessionStore;
  private readonly settings: SessionSettings;
  private readonly contextTurnedOff: boolean;
  private readonly currentHash: ResolvedSessionsOptions['auth']['currentHash'];
  /** Each session's checked user, once asked for (a request asks once). */
  private readonly checkedUsers = new WeakMap<
    Session,
    Promise<string | null>
  >();

  /** @internal Made by Nest's injector. */
  constructor(
    store: SessionStore,
    @Inject(SESSIONS_OPTIONS) options: ResolvedSessionsOptions,
  ) {
    this.contextTurnedOff = !options.requestContext;
    this.currentHash = options.auth.currentHash;
    if (options.maxLifetime !== undefined && !store.limitsLifetime) {
      throw new SessionsConfigurationError([
        SESSIONS_MESSAGES.maxLifetimeUnsupported(store.constructor.name),
      ]);
    }
    if (options.hashKeys !== false && !store.hashesKeys) {
      throw new SessionsConfigurationError([
        SESSIONS_MESSAGES.hashKeysUnsupported(store.constructor.name),
      ]);
    }
    this.store = new GuardedSessionStore(store);
    this.settings = {
      maxAge: options.cookie.maxAge,
      expireAtBrowserClose: options.expireAtBrowserClose,
    };
  }

  /**
   * The session of the request being handled, loaded from the store on the
   * first call of the request (later calls share it). Changes are saved when
   * the response is sent. It works wherever the request flows: services,
   * guards, interceptors, pipes, exception filters and handlers. Rejects with
   * `SessionContextError` outside of an HTTP request, or with
   * `requestContext: false`.
   */
  current(): Promise<Session> {
    const requestSession = RequestSession.current();
    return requestSession === undefined
      ? Promise.reject(
          new SessionContextError(
            this.contextTurnedOff ? 'turned-off' : 'outside',
          ),
        )
      : requestSession.session();
  }

  /**
   * The stored session under `key`, or `null` when the key is malformed,
   * unknown or expired. Save it with `session.save()`.
   */
  async load(key: string): Promise<Session | null> {
    if (!this.store.acceptsKey(key)) {
      return null;
    }
    const loaded = await this.store.loadWithExpiry(key);
    return loaded === null
      ? null
      : new Session(
          this.store,
          this.settings,
          key,
          loaded.data,
          loaded.expiresIn,
        );
  }

  /** A new, empty session; it gets its key when first saved. */
  create(): Session {
    return new Session(this.store, this.settings, null, {});
  }

  /**
   * Logs `userId` in on `session`, as Django's `login()`: a session that
   * holds another user is emptied first; then the session gets a new key
   * (so a key planted before the login is worthless after it) and a new
   * CSRF secret, and records the user, `options.authHash` and where the
   * login came from. The database stores index the user, for
   * `listUserSessions()` and the revocations.
   */
  async login(
    session: Session,
    userId: string | number,
    options: LoginOptions = {},
  ): Promise<void> {
    const id = String(userId);
    if (id.length === 0 || id.length > MAX_USER_ID_LENGTH) {
      throw new SessionDataError(
        AUTH_KEYS.userId,
        SESSIONS_MESSAGES.invalidUserId(),
      );
    }
    const current = storedUserId(session);
    if (current !== null && current !== id) {
      await session.flush();
    }
    session.set(AUTH_KEYS.userId, id);
    for (const [key, value] of [
      [AUTH_KEYS.hash, options.authHash],
      [AUTH_KEYS.ip, options.ip],
      [AUTH_KEYS.userAgent, options.userAgent],
    ] as const) {
      if (value === undefined) {
        session.delete(key);
      } else {
        session.set(key, value);
      }
    }
    // As Django's rotate_token(): the next token() makes a new secret.
    session.delete(CSRF_SESSION_KEY);
    await session.cycleKey();
    this.checkedUsers.set(session, Promise.resolve(id));
  }

  /** Logs the session's user out, as Django's `logout()`: `session.flush()`. */
  async logout(session: Session): Promise<void> {
    await session.flush();
    this.checkedUsers.delete(session);
  }

  /**
   * The id of the user logged in on `session`, or `null` for none. With
   * `auth.currentHash`, the login is checked first, once per session object
   * (a request's): if the user's hash is no longer the one stored at login
   * (a password changed elsewhere), or the user is gone, the session is
   * flushed, as Django's `get_user()` does, and the answer is `null`.
   */
  userId(session: Session): Promise<string | null> {
    let checked = this.checkedUsers.get(session);
    if (checked === undefined) {
      checked = this.checkUser(session);
      this.checkedUsers.set(session, checked);
    }
    return checked;
  }

  /**
   * Keeps `session` logged in after its user's credentials changed, as
   * Django's `update_session_auth_hash()`: stores the new hash and gives the
   * session a new key. The user's other sessions, which keep the old hash,
   * are logged out when next used (with `auth.currentHash`); end them at
   * once with `revokeOtherSessions()`.
   */
  async updateAuthHash(session: Session, authHash: string): Promise<void> {
    session.set(AUTH_KEYS.hash, authHash);
    await session.cycleKey();
  }

  private async checkUser(session: Session): Promise<string | null> {
    const userId = storedUserId(session);
    if (userId === null || this.currentHash === undefined) {
      return userId;
    }
    const current = await this.currentHash(userId);
    const stored = session.get<unknown>(AUTH_KEYS.hash);
    if (
      current !== null &&
      typeof stored === 'string' &&
      sameText(current, stored)
    ) {
      return userId;
    }
    await session.flush();
    return null;
  }

  /**
   * The live sessions of `userId`, the most recently seen first, each with
   * a public id (never its key) to revoke it by; `current` marks
   * `currentSession`'s. Rejects with `UserSessionsUnsupportedError` on a
   * store that does not find sessions by user.
   */
  async listUserSessions(
    userId: string,
    currentSession?: Session,
  ): Promise<UserSession[]> {
    // A session's public id, as the stores list it: the hash of its key.
    const currentKey = currentSession?.sessionKey ?? null;
    const currentId = currentKey === null ? null : hashSessionKey(currentKey);
    const sessions = await this.store.listUserSessions(userId);
    return sessions.map((stored) => ({
      ...stored,
      current: stored.id === currentId,
    }));
  }

  /**
   * Ends the session of `userId` whose public id is `id` (from
   * `listUserSessions()`); returns whether there was one live. It expires
   * at once: its next request finds no session, a request it has in flight
   * cannot save it back, and the cleanup's handlers remove what is keyed by
   * it, as for any expired session.
   */
  async revokeUserSession(userId: string, id: string): Promise<boolean> {
    return (await this.store.expireUserSessions(userId, { id })) > 0;
  }

  /**
   * Ends every session of `session`'s user but `session` itself ("log out
   * of all other devices"); returns how many. 0 for an anonymous session.
   */
  async revokeOtherSessions(session: Session): Promise<number> {
    const userId = storedUserId(session);
    if (userId === null) {
      return 0;
    }
    return this.store.expireUserSessions(userId, {
      exceptKey: session.sessionKey ?? undefined,
    });
  }

  /** Ends every session of `userId`; returns how many. */
  revokeUserSessions(userId: string): Promise<number> {
    return this.store.expireUserSessions(userId);
  }

  /**
   * The key of `session` as the store keeps it, and as the cleanup's
   * handlers will receive it: its key, or with `hashKeys` its SHA-256 (hex).
   * Key what you keep per session (rows, files) by this value. `null` for a
   * session not stored yet.
   */
  storedKeyOf(session: Session): string | null {
    return session.sessionKey === null
      ? null
      : this.store.storedKeyOf(session.sessionKey);
  }

  /** Whether a live session is stored under `key`. */
  async exists(key: string): Promise<boolean> {
    return this.store.acceptsKey(key) && (await this.store.exists(key));
  }

  /** Deletes the session stored under `key`; returns whether there was one. */
  async delete(key: string): Promise<boolean> {
    return this.store.acceptsKey(key) && (await this.store.delete(key));
  }
}

/** The user id the session's data holds, unchecked; `null` for none. */
function storedUserId(session: Session): string | null {
  const id = session.get<unknown>(AUTH_KEYS.userId);
  return typeof id === 'string' ? id : null;
}

/** Whether two texts are equal, in time that does not tell where they differ. */
function sameText(a: string, b: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}
