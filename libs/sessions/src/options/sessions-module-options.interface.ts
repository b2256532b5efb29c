import type { FactoryProvider, ModuleMetadata, Type } from '@nestjs/common';
import type { SessionKeyv } from '../stores/cache/session-keyv.interface.js';
import type { AbstractSessionEntity } from '../entities/abstract-session.entity.js';
import type { SessionStore } from '../stores/session.store.js';

/** The value of the cookie's `SameSite` attribute; `false` leaves it out. */
export type SessionCookieSameSite = 'lax' | 'strict' | 'none' | false;

/** How the session cookie is written (Django's `SESSION_COOKIE_*` settings). */
export interface SessionCookieOptions {
  /**
   * Name of the cookie that carries the session key.
   * @default 'sessionid'
   */
  name?: string;
  /**
   * Lifetime of a session, in seconds, unless the session sets its own with
   * `setExpiry()`. Also the cookie's `Max-Age`.
   * @default 1209600 (two weeks)
   */
  maxAge?: number;
  /**
   * The cookie's `Domain` attribute, e.g. `'.example.com'` to share the
   * session across subdomains.
   * @default undefined (the host that set it)
   */
  domain?: string;
  /**
   * The cookie's `Path` attribute.
   * @default '/'
   */
  path?: string;
  /**
   * Sends the cookie over HTTPS only. Turn it on in production.
   * @default false
   */
  secure?: boolean;
  /**
   * Hides the cookie from client-side scripts.
   * @default true
   */
  httpOnly?: boolean;
  /**
   * The cookie's `SameSite` attribute; `'none'` requires `secure: true`.
   * @default 'lax'
   */
  sameSite?: SessionCookieSameSite;
}

/**
 * The stores that come with the module, as Django's session engines:
 * - `'db'`: PostgreSQL, through the app's TypeORM `DataSource`;
 * - `'cached_db'`: PostgreSQL, with a cache in front for reads;
 * - `'cache'`: a cache only (Redis, or this process's memory);
 * - `'file'`: one file per session in a folder;
 * - `'signed_cookies'`: the whole session in a signed cookie.
 */
export type SessionStoreName =
  'db' | 'cached_db' | 'cache' | 'file' | 'signed_cookies';

/**
 * Where sessions are kept: one of the stores that come with the module, or
 * the app's own: a `SessionStore` subclass (which gets dependency
 * injection) or an instance of one.
 */
export type SessionStoreOption =
  SessionStoreName | Type<SessionStore> | SessionStore;

/** The cache of the `'cache'` and `'cached_db'` stores. */
export interface SessionsCacheOptions {
  /**
   * The Redis server, as a `redis://` or `rediss://` URL. With neither `url`
   * nor `keyv`, sessions are cached in this process's memory: fine for a
   * single process, lost when it stops.
   * @default undefined
   */
  url?: string;
  /**
   * A `Keyv` instance to cache in instead of `url` (any Keyv store adapter).
   * The app owns it: the module does not close it.
   * @default undefined
   */
  keyv?: SessionKeyv;
  /**
   * Prefix of the sessions' cache keys, so sessions share a cache with
   * other data safely.
   * @default 'sessions'
   */
  namespace?: string;
}

/** Where the `'file'` store keeps sessions. */
export interface SessionsFileStoreOptions {
  /**
   * The folder of the session files; made if missing. Give each app its
   * own.
   * @default `nest-sessions` in the OS temp folder
   */
  path?: string;
}

/**
 * Options that decide which providers exist, so they are given statically,
 * beside `useFactory` in `forRootAsync`.
 */
export interface SessionsStaticOptions {
  /**
   * Where sessions are kept (Django's `SESSION_ENGINE`).
   * @default 'db'
   */
  store?: SessionStoreOption;
  /**
   * The entity the `'db'` store reads and writes: `SessionEntity`, or the
   * app's own subclass of `AbstractSessionEntity` with extra columns.
   * @default SessionEntity
   */
  entity?: Type<AbstractSessionEntity>;
  /**
   * Name of the TypeORM data source the `'db'` store uses, as given to
   * `TypeOrmModule.forRoot({ name })`.
   * @default 'default'
   */
  dataSource?: string;
}

/**
 * How expired sessions are purged: `'raw'` deletes them with batched SQL
 * statements and fires no entity events; `'events'` loads each batch and fires
 * TypeORM's `@BeforeRemove`/`@AfterRemove` listeners and subscribers per session.
 */
export type SessionsCleanupMode = 'raw' | 'events';

/** The nightly purge of expired sessions (`CleanupService`). */
export interface SessionsCleanupOptions {
  /**
   * Runs the purge on `cron`. Needs `ScheduleModule.forRoot()` in the app.
   * `CleanupService.run()` and `clearsessions` work either way.
   * @default true
   */
  enabled?: boolean;
  /**
   * When the purge runs, as a cron expression (seconds field optional).
   * @default '0 3 * * *' (every night at 03:00)
   */
  cron?: string;
  /**
   * IANA time zone the cron expression is read in, e.g. `'Europe/Paris'`.
   * @default undefined (the server's zone)
   */
  timeZone?: string;
  /**
   * `'raw'`: batched DELETE statements, no entity events. `'events'`: entity
   * listeners and subscribers fire once per deleted session.
   * @default 'raw'
   */
  mode?: SessionsCleanupMode;
  /**
   * Sessions deleted per statement (and per transaction), from 1 to 100000.
   * @default 5000
   */
  batchSize?: number;
}

/** How logins are checked (Django's session auth hash). */
export interface SessionsAuthOptions {
  /**
   * The current auth hash of the user with this id (the value
   * `SessionService.login()` was given as `authHash`, derived from the
   * user's credentials), or `null` when there is no such user any more.
   * When it is set, a session whose stored hash differs is logged out
   * (flushed) the first time its user is asked for in a request
   * (`SessionService.userId()`, `LoggedInGuard`, `@CurrentUserId()`).
   * @default undefined (logins are not checked against the user)
   */
  currentHash?: (userId: string) => string | null | Promise<string | null>;
}

/** What `CsrfGuard` accepts besides the site's own origin. */
export interface SessionsCsrfOptions {
  /**
   * Origins, besides the site's own, whose pages may send unsafe requests
   * (Django's `CSRF_TRUSTED_ORIGINS`): `'https://example.com'`, or
   * `'https://*.example.com'` for every subdomain.
   * @default []
   */
  trustedOrigins?: string[];
}

/**
 * Options that shape behaviour; in `forRootAsync` they may come from
 * `ConfigService`.
 */
export interface SessionsBehaviourOptions {
  /** How the session cookie is written. */
  cookie?: SessionCookieOptions;
  /**
   * Saves the session, and refreshes its cookie and expiry, on every request
   * that loaded it, not only when it changed (Django's
   * `SESSION_SAVE_EVERY_REQUEST`).
   * @default false
   */
  saveEveryRequest?: boolean;
  /**
   * Seconds after which a request that only reads its session refreshes the
   * session's expiry (and cookie) anyway, so that an active visitor stays
   * logged in while most reads write nothing: at most one write per period
   * (connect-mongo's `touchAfter`, better-auth's `updateAge`). Unset, a
   * read never refreshes the expiry, as in Django (unless
   * `saveEveryRequest`). Needs a store that tells how long a session has
   * left when it loads it (`'db'`, `'cached_db'`).
   * @default undefined
   */
  touchAfter?: number;
  /**
   * Seconds after its creation (its login, which makes a new session) at
   * which a session ends, however active it is: an absolute lifetime, on
   * top of `cookie.maxAge`'s idle one (Spring Session and better-auth have
   * the like; Django has none). Needs the `'db'` or `'cached_db'` store,
   * with the users' columns (`AbstractUserSessionEntity`).
   * @default undefined
   */
  maxLifetime?: number;
  /**
   * The database stores keep the SHA-256 of each session key (in hex), never
   * the key itself, so that a leaked table or backup logs nobody in; the
   * cookie carries the key, and each lookup hashes it first. `'migrate'` is
   * the way there for a table that holds plain keys: it also finds a session
   * under its plain key and re-keys it to its hash as it reads it, so nobody
   * is logged out; once `cookie.maxAge` has passed, set `true`. Needs the
   * `'db'` or `'cached_db'` store.
   * @default false
   */
  hashKeys?: boolean | 'migrate';
  /**
   * Sessions last until the browser is closed: the cookie gets no
   * `Max-Age`/`Expires` (Django's `SESSION_EXPIRE_AT_BROWSER_CLOSE`).
   * A session can override it with `setExpiry()`.
   * @default false
   */
  expireAtBrowserClose?: boolean;
  /**
   * Whether each HTTP request runs in a context (`AsyncLocalStorage`) where
   * `SessionService.current()` finds its session, wherever the request
   * flows. An app that takes its sessions only with `@CurrentSession()`
   * (which needs no context) may turn it off: on Node 20 the context costs
   * every request a few percent of its CPU time; Node 22 and later pay next
   * to nothing for it.
   * @default true
   */
  requestContext?: boolean;
  /** The nightly purge of expired sessions. */
  cleanup?: SessionsCleanupOptions;
  /** The origin check of `CsrfGuard`. */
  csrf?: SessionsCsrfOptions;
  /** How logins are checked against the user's current credentials. */
  auth?: SessionsAuthOptions;
  /**
   * The key the `'signed_cookies'` store signs sessions with (Django's
   * `SECRET_KEY`): at least 32 characters, random, kept out of the code.
   * Required by that store.
   * @default undefined
   */
  secret?: string;
  /**
   * Former secrets, whose signatures still verify while cookies move to
   * `secret` (Django's `SECRET_KEY_FALLBACKS`). Drop one once the cookies
   * it signed have expired.
   * @default []
   */
  fallbackSecrets?: string[];
  /** The cache of the `'cache'` and `'cached_db'` stores. */
  cache?: SessionsCacheOptions;
  /** The folder of the `'file'` store. */
  fileStore?: SessionsFileStoreOptions;
}

/** Options of `SessionsModule.forRoot()`. */
export interface SessionsModuleOptions
  extends SessionsStaticOptions, SessionsBehaviourOptions {}

/** A class that makes the behaviour options, for `forRootAsync({ useClass })`. */
export interface SessionsOptionsFactory {
  createSessionsOptions():
    SessionsBehaviourOptions | Promise<SessionsBehaviourOptions>;
}

/** Options of `SessionsModule.forRootAsync()`. */
export interface SessionsModuleAsyncOptions
  extends SessionsStaticOptions, Pick<ModuleMetadata, 'imports'> {
  /** Builds the behaviour options, with the providers in `inject`. */
  useFactory?: FactoryProvider<
    SessionsBehaviourOptions | Promise<SessionsBehaviourOptions>
  >['useFactory'];
  /** Providers passed to `useFactory`. */
  inject?: FactoryProvider['inject'];
  /** A class implementing `SessionsOptionsFactory`, instantiated by the module. */
  useClass?: Type<SessionsOptionsFactory>;
  /** An existing provider implementing `SessionsOptionsFactory`. */
  useExisting?: Type<SessionsOptionsFactory>;
}
