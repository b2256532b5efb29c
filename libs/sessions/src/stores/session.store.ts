import { SessionsError } from '../errors/sessions.error.js';
import type { SessionTable } from './session-table.js';
import { generateSessionKey, isValidSessionKey } from './session-key.js';
import { SESSIONS_MESSAGES } from '../errors/sessions.messages.js';
import { UserSessionsUnsupportedError } from '../errors/user-sessions-unsupported.error.js';

/** A key collision is a 1 in 36^32 event; this many in a row means a broken RNG. */
const MAX_CREATE_ATTEMPTS = 10;

/** What a session holds: a JSON object. */
export type SessionData = Record<string, unknown>;

/**
 * When a session expires: a number of seconds from now, counted by the
 * store's clock (the database's `now()`), or a fixed date.
 */
export type SessionExpiry = number | Date;

/** What a request changed in a session, so a store can write only that. */
export interface SessionChanges {
  /** The keys set, with their new values. */
  readonly set: SessionData;
  /** The keys removed. */
  readonly removed: readonly string[];
  /**
   * The whole data was replaced (`clear()`): stored keys that are not in
   * `data` must go too.
   */
  readonly replaced: boolean;
  /**
   * Keys of `set` that `Session.increment()` added to, with the amount: the
   * stored number (0 if none) plus the amount, not `set`'s value, is what the
   * save leaves, so that concurrent requests' increments all count. A store
   * that cannot add in place writes `set`'s value (the number the request
   * saw, plus its amounts); the last write wins.
   */
  readonly increments: Readonly<Record<string, number>>;
}

/** One write of a session to its store. */
export interface SessionWrite {
  /** The whole data after the change. */
  readonly data: SessionData;
  /** What changed since the session was loaded or last written. */
  readonly changes: SessionChanges;
  /** When the session expires. */
  readonly expiry: SessionExpiry;
}

/** A stored session as `loadWithExpiry()` gives it. */
export interface LoadedSession {
  readonly data: SessionData;
  /**
   * Seconds the session has left, by the store's clock; `undefined` when
   * the store cannot tell (then `touchAfter` never refreshes it on a read).
   */
  readonly expiresIn: number | undefined;
}

/** A user's live session, as a store lists it: never its key. */
export interface StoredUserSession {
  /** The session's public id: the SHA-256 of its key, in hex. */
  readonly id: string;
  /** When it was created (the login, as a login gives a new key). */
  readonly createdAt: Date;
  /** When it was last saved. */
  readonly lastSeen: Date;
  /** When it expires, unless a request extends it. */
  readonly expiresAt: Date;
  /** The address the login came from, if the app gave it to `login()`. */
  readonly ip: string | null;
  /** The login's `User-Agent`, if the app gave it to `login()`. */
  readonly userAgent: string | null;
}

/** Which of a user's sessions `expireUserSessions()` ends: by default, all. */
export interface UserSessionsFilter {
  /** Only the session with this public id (`StoredUserSession.id`). */
  readonly id?: string;
  /** All but the session under this key (the current one). */
  readonly exceptKey?: string;
}

/**
 * Where sessions are kept: the contract every store fulfils, as Django's
 * `SessionBase` backend methods. The abstract class is also the injection
 * token, so any provider can take `constructor(private store: SessionStore)`.
 *
 * Stores never see malformed keys: every key is checked with `acceptsKey()`
 * before it gets to the other methods.
 */
export abstract class SessionStore {
  /**
   * The data of a live session, or `null` when there is none under this key
   * or it has expired. Data that cannot be decoded loads as `{}`, with a
   * warning in the log.
   */
  abstract load(key: string): Promise<SessionData | null>;

  /**
   * `load()`, with how long the session has left, which `touchAfter` needs.
   * By default the store cannot tell: `expiresIn` is `undefined`.
   */
  async loadWithExpiry(key: string): Promise<LoadedSession | null> {
    const data = await this.load(key);
    return data === null ? null : { data, expiresIn: undefined };
  }

  /** Whether the store keeps hashes of the keys, never the keys (`hashKeys`). */
  get hashesKeys(): boolean {
    return false;
  }

  /**
   * The key as the store keeps it, and as the cleanup's handlers
   * (`@OnSessionsExpired()`, `@AfterSessionsExpired()`) receive it: the key
   * itself, or its SHA-256 (hex) with `hashKeys`. Key rows and files of
   * your own by this value.
   */
  storedKeyOf(key: string): string {
    return key;
  }

  /**
   * Whether the store caps each session's life at `maxLifetime` seconds
   * from its creation (the option of that name needs it).
   */
  get limitsLifetime(): boolean {
    return false;
  }

  /** Whether a live session exists under this key. */
  abstract exists(key: string): Promise<boolean>;

  /**
   * Stores a new session under a fresh key and returns the key. Never
   * overwrites another session: on a key collision it picks another key.
   */
  abstract create(write: SessionWrite): Promise<string>;

  /**
   * Writes the changes to an existing, live session, and returns the key to
   * send to the client (the same key, for stores that keep data
   * server-side). Returns `null`, writing nothing, when the session no longer
   * exists: a deleted session is never re-created by a save.
   */
  abstract save(key: string, write: SessionWrite): Promise<string | null>;

  /** Deletes the session; returns whether there was one to delete. */
  abstract delete(key: string): Promise<boolean>;

  /**
   * Deletes the session if it holds no data, and returns whether it did.
   * Data a concurrent request stored in it meanwhile keeps it alive.
   */
  abstract deleteIfEmpty(key: string): Promise<boolean>;

  /**
   * Deletes the expired sessions the store keeps, and returns how many it
   * deleted (Django's `clear_expired()`). A store whose sessions go away by
   * themselves (`expiresByItself`) returns 0.
   */
  abstract clearExpired(): Promise<number>;

  /**
   * Whether the store finds sessions by user (`listUserSessions()`,
   * `expireUserSessions()`): the database stores do, from the
   * `auth_user_id` column they keep from the data's `_auth_user_id`.
   */
  get findsUserSessions(): boolean {
    return false;
  }

  /**
   * The live sessions of the user logged in with `userId`, the most
   * recently seen first. A store that does not find sessions by user
   * (`findsUserSessions`) rejects with `UserSessionsUnsupportedError`.
   */
  listUserSessions(_userId: string): Promise<StoredUserSession[]> {
    return Promise.reject(new UserSessionsUnsupportedError(this.storeName));
  }

  /**
   * Ends, by making them expire now, the live sessions of the user logged
   * in with `userId` that `filter` picks, and returns how many. Expired
   * rather than deleted, they go through the cleanup like any expired
   * session, so its handlers remove what is keyed by them. A store that does
   * not find sessions by user rejects with `UserSessionsUnsupportedError`.
   */
  expireUserSessions(
    _userId: string,
    _filter: UserSessionsFilter = {},
  ): Promise<number> {
    return Promise.reject(new UserSessionsUnsupportedError(this.storeName));
  }

  /** The store's name, for messages: its class's. */
  protected get storeName(): string {
    return this.constructor.name;
  }

  /**
   * Whether expired sessions leave the store by themselves (a cache's TTL, a
   * cookie the browser drops), so that cleanup has nothing to do.
   */
  get expiresByItself(): boolean {
    return false;
  }

  /**
   * @internal The database table this store keeps its sessions in, which
   * `CleanupService` purges in batches (with its lock and its entity's
   * events); `undefined` for a store that purges with `clearExpired()`.
   */
  get sessionTable(): SessionTable | undefined {
    return undefined;
  }

  /**
   * Whether `key`, as a client sent it, may name a session of this store:
   * a key of `[a-z0-9]`, 8 to 40 characters long.
   * A key it refuses is never looked up: the client gets a new session.
   */
  acceptsKey(key: string): boolean {
    return isValidSessionKey(key);
  }

  /**
   * A candidate key for a new session; `create()` asks again on a
   * collision. Override it to make keys another way.
   */
  protected newSessionKey(): string {
    return generateSessionKey();
  }

  /**
   * For `create()`: the first key from `newSessionKey()` that `claim(key)`
   * takes (resolves `true`; `false` when the key is in use), trying another
   * key on each collision. Fails with a `SessionsError` after
   * `MAX_CREATE_ATTEMPTS` collisions, which only a broken random number
   * source makes.
   */
  protected async claimNewKey(
    claim: (key: string) => Promise<boolean>,
  ): Promise<string> {
    for (let attempt = 0; attempt < MAX_CREATE_ATTEMPTS; attempt++) {
      const key = this.newSessionKey();
      if (await claim(key)) {
        return key;
      }
    }
    throw new SessionsError(SESSIONS_MESSAGES.noFreeKey(MAX_CREATE_ATTEMPTS));
  }
}
