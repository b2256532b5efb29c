import type { Type } from '@nestjs/common';
import { AbstractSessionEntity } from '../entities/abstract-session.entity.js';
import { SessionEntity } from '../entities/session.entity.js';
import { SessionsConfigurationError } from '../errors/sessions-configuration.error.js';
import { MAX_EXPIRY_SECONDS } from '../sessions.constants.js';
import { SessionStore } from '../stores/session.store.js';
import type {
  SessionsBehaviourOptions,
  SessionsStaticOptions,
  SessionStoreName,
  SessionStoreOption,
} from './sessions-module-options.interface.js';
import { booleanOption, describe, isPlainObject } from './option-checks.js';
import {
  type ResolvedCleanupOptions,
  resolveCleanupOptions,
} from './resolve-cleanup-options.js';
import {
  type ResolvedAuthOptions,
  resolveAuthOptions,
} from './resolve-auth-options.js';
import {
  type ResolvedCsrfOptions,
  resolveCsrfOptions,
} from './resolve-csrf-options.js';
import {
  type ResolvedStoreOptions,
  resolveStoreOptions,
} from './resolve-store-options.js';
import { SESSIONS_DEFAULTS } from './sessions-options.defaults.js';
import { SESSIONS_MESSAGES } from '../errors/sessions.messages.js';

/** The cookie options with every default filled in. */
export interface ResolvedSessionCookie {
  readonly name: string;
  readonly maxAge: number;
  readonly domain: string | undefined;
  readonly path: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly sameSite: 'lax' | 'strict' | 'none' | undefined;
}

/** The options that shape the providers, with their defaults filled in. */
export interface ResolvedStaticOptions {
  readonly store: SessionStoreOption;
  readonly entity: Type<AbstractSessionEntity>;
  readonly dataSource: string;
}

/** The module options with every default filled in, checked. */
export interface ResolvedSessionsOptions
  extends ResolvedStaticOptions, ResolvedStoreOptions {
  readonly cookie: ResolvedSessionCookie;
  readonly saveEveryRequest: boolean;
  readonly touchAfter: number | undefined;
  readonly maxLifetime: number | undefined;
  readonly hashKeys: boolean | 'migrate';
  readonly expireAtBrowserClose: boolean;
  readonly requestContext: boolean;
  readonly cleanup: ResolvedCleanupOptions;
  readonly csrf: ResolvedCsrfOptions;
  readonly auth: ResolvedAuthOptions;
}

const STATIC_KEYS = ['store', 'entity', 'dataSource'];
const BEHAVIOUR_KEYS = [
  'cookie',
  'saveEveryRequest',
  'touchAfter',
  'maxLifetime',
  'hashKeys',
  'expireAtBrowserClose',
  'requestContext',
  'cleanup',
  'csrf',
  'auth',
  'secret',
  'fallbackSecrets',
  'cache',
  'fileStore',
];
const COOKIE_KEYS = [
  'name',
  'maxAge',
  'domain',
  'path',
  'secure',
  'httpOnly',
  'sameSite',
];

/** RFC 7230 `token`, which RFC 6265 requires for cookie names. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A host name, optionally with a leading dot. */
const COOKIE_DOMAIN =
  /^\.?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
/** RFC 6265 `path-value` that starts with a slash: printable ASCII but `;`. */
const COOKIE_PATH = /^\/[ -:<-~]*$/;
const SAME_SITE_VALUES = ['lax', 'strict', 'none'];
const STORE_NAMES: readonly SessionStoreName[] = [
  'db',
  'cached_db',
  'cache',
  'file',
  'signed_cookies',
];

/**
 * Fills in the defaults of the `SessionsModule` options and checks them,
 * reporting every problem at once in one `SessionsConfigurationError`.
 *
 * `statics` are the options that shape the providers; `behaviour` the ones
 * that may come from a factory (`fromFactory`), where a static option is
 * itself a problem, since the providers are already decided by then.
 */
export function resolveSessionsOptions(
  statics: SessionsStaticOptions,
  behaviour: SessionsBehaviourOptions,
  fromFactory = false,
): ResolvedSessionsOptions {
  const problems: string[] = [];
  const source = fromFactory
    ? 'the options factory'
    : 'SessionsModule.forRoot()';

  if (!isPlainObject(behaviour)) {
    throw new SessionsConfigurationError([
      SESSIONS_MESSAGES.optionsNotAnObject(source, describe(behaviour)),
    ]);
  }
  for (const key of Object.keys(behaviour)) {
    if (STATIC_KEYS.includes(key)) {
      problems.push(
        `'${key}' decides which providers exist, so it cannot come from ${source}: ` +
          `give it to SessionsModule.forRootAsync() beside useFactory/useClass/useExisting.`,
      );
    } else if (!BEHAVIOUR_KEYS.includes(key)) {
      problems.push(
        `unknown option '${key}' (known options: ${[...STATIC_KEYS, ...BEHAVIOUR_KEYS].join(', ')}).`,
      );
    }
  }

  const resolvedStatics = checkStatics(statics, problems);
  const cookie = resolveCookie(behaviour.cookie, problems);
  const saveEveryRequest = booleanOption(
    'saveEveryRequest',
    behaviour.saveEveryRequest,
    SESSIONS_DEFAULTS.saveEveryRequest,
    problems,
  );
  const touchAfter = optionalSeconds(
    'touchAfter',
    behaviour.touchAfter,
    problems,
  );
  if (touchAfter !== undefined && touchAfter >= cookie.maxAge) {
    problems.push(
      `'touchAfter' (${touchAfter} s) must be shorter than 'cookie.maxAge' (${cookie.maxAge} s), or sessions would expire before a read refreshes them.`,
    );
  }
  const maxLifetime = optionalSeconds(
    'maxLifetime',
    behaviour.maxLifetime,
    problems,
  );
  const hashKeys = behaviour.hashKeys ?? false;
  if (hashKeys !== true && hashKeys !== false && hashKeys !== 'migrate') {
    problems.push(
      `'hashKeys' must be true, false or 'migrate', got ${describe(hashKeys)}.`,
    );
  }
  const expireAtBrowserClose = booleanOption(
    'expireAtBrowserClose',
    behaviour.expireAtBrowserClose,
    SESSIONS_DEFAULTS.expireAtBrowserClose,
    problems,
  );
  const requestContext = booleanOption(
    'requestContext',
    behaviour.requestContext,
    SESSIONS_DEFAULTS.requestContext,
    problems,
  );

  const cleanup = resolveCleanupOptions(behaviour.cleanup, problems);
  const csrf = resolveCsrfOptions(behaviour.csrf, problems);
  const auth = resolveAuthOptions(behaviour.auth, problems);
  const stores = resolveStoreOptions(
    resolvedStatics.store,
    behaviour,
    problems,
  );
  if (problems.length > 0) {
    throw new SessionsConfigurationError(problems);
  }
  return {
    ...resolvedStatics,
    ...stores,
    cookie,
    saveEveryRequest,
    touchAfter,
    maxLifetime,
    hashKeys: hashKeys as boolean | 'migrate',
    expireAtBrowserClose,
    requestContext,
    cleanup,
    csrf,
    auth,
  };
}

/**
 * The options that shape the providers, with defaults filled in; throws a
 * `SessionsConfigurationError` listing every problem. `forRoot` and
 * `forRootAsync` call it when they are called, before any provider exists.
 */
export function resolveStaticOptions(
  statics: SessionsStaticOptions,
): ResolvedStaticOptions {
  const problems: string[] = [];
  const resolved = checkStatics(statics, problems);
  if (problems.length > 0) {
    throw new SessionsConfigurationError(problems);
  }
  return resolved;
}

function checkStatics(
  statics: SessionsStaticOptions,
  problems: string[],
): ResolvedStaticOptions {
  const store = statics.store ?? SESSIONS_DEFAULTS.store;
  if (!isStoreOption(store)) {
    problems.push(
      `'store' must be ${STORE_NAMES.map((name) => `'${name}'`).join(', ')}, ` +
        `a class that extends SessionStore or an instance of one, ` +
        `got ${describe(store)}.`,
    );
  }
  const entity = statics.entity ?? SessionEntity;
  if (
    typeof entity !== 'function' ||
    !(entity.prototype instanceof AbstractSessionEntity)
  ) {
    problems.push(
      `'entity' must be SessionEntity or a class that extends AbstractSessionEntity, ` +
        `got ${describe(entity)}.`,
    );
  }
  const dataSource = statics.dataSource ?? SESSIONS_DEFAULTS.dataSource;
  if (typeof dataSource !== 'string' || dataSource === '') {
    problems.push(
      `'dataSource' must be the name of a TypeORM data source, got ${describe(dataSource)}.`,
    );
  }
  return { store, entity, dataSource };
}

function resolveCookie(
  options: unknown,
  problems: string[],
): ResolvedSessionCookie {
  const defaults = SESSIONS_DEFAULTS.cookie;
  if (options === undefined) {
    return { ...defaults, domain: undefined };
  }
  if (!isPlainObject(options)) {
    problems.push(`'cookie' must be an object, got ${describe(options)}.`);
    return { ...defaults, domain: undefined };
  }
  for (const key of Object.keys(options)) {
    if (!COOKIE_KEYS.includes(key)) {
      problems.push(
        `unknown option 'cookie.${key}' (known: ${COOKIE_KEYS.join(', ')}).`,
      );
    }
  }

  const name = options.name ?? defaults.name;
  if (typeof name !== 'string' || !COOKIE_NAME.test(name)) {
    problems.push(
      `'cookie.name' must be a cookie name (letters, digits and !#$%&'*+-.^_\`|~), got ${describe(name)}.`,
    );
  }
  const maxAge = options.maxAge ?? defaults.maxAge;
  if (
    !Number.isSafeInteger(maxAge) ||
    (maxAge as number) <= 0 ||
    (maxAge as number) > MAX_EXPIRY_SECONDS
  ) {
    problems.push(
      `'cookie.maxAge' must be a whole number of seconds from 1 to ${MAX_EXPIRY_SECONDS} (100 years), got ${describe(maxAge)}.`,
    );
  }
  const domain = options.domain;
  if (
    domain !== undefined &&
    (typeof domain !== 'string' || !COOKIE_DOMAIN.test(domain))
  ) {
    problems.push(
      `'cookie.domain' must be a host name such as '.example.com', got ${describe(domain)}.`,
    );
  }
  const path = options.path ?? defaults.path;
  if (typeof path !== 'string' || !COOKIE_PATH.test(path)) {
    problems.push(
      `'cookie.path' must start with '/' and hold no ';' or control characters, got ${describe(path)}.`,
    );
  }
  const secure = booleanOption(
    'cookie.secure',
    options.secure,
    defaults.secure,
    problems,
  );
  const httpOnly = booleanOption(
    'cookie.httpOnly',
    options.httpOnly,
    defaults.httpOnly,
    problems,
  );
  const sameSite = resolveSameSite(options.sameSite, problems);

  if (sameSite === 'none' && !secure) {
    problems.push(
      `'cookie.sameSite' 'none' needs 'cookie.secure': true; browsers drop SameSite=None cookies that are not Secure.`,
    );
  }
  if (typeof name === 'string' && /^__(Secure|Host)-/i.test(name) && !secure) {
    problems.push(
      `a cookie named '${name}' needs 'cookie.secure': true; browsers drop it otherwise.`,
    );
  }
  if (
    typeof name === 'string' &&
    /^__Host-/i.test(name) &&
    (domain !== undefined || path !== '/')
  ) {
    problems.push(
      `a cookie named '${name}' needs 'cookie.path' '/' and no 'cookie.domain'; browsers drop it otherwise.`,
    );
  }
  return {
    name: name as string,
    maxAge: maxAge as number,
    domain: domain as string | undefined,
    path: path as string,
    secure,
    httpOnly,
    sameSite,
  };
}

/** An optional whole number of seconds, up to the longest lifetime. */
function optionalSeconds(
  name: string,
  value: unknown,
  problems: string[],
): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (
    !Number.isSafeInteger(value) ||
    (value as number) <= 0 ||
    (value as number) > MAX_EXPIRY_SECONDS
  ) {
    problems.push(
      `'${name}' must be a whole number of seconds from 1 to ${MAX_EXPIRY_SECONDS} (100 years), got ${describe(value)}.`,
    );
    return undefined;
  }
  return value as number;
}

function resolveSameSite(
  value: unknown,
  problems: string[],
): ResolvedSessionCookie['sameSite'] {
  if (value === undefined) {
    return SESSIONS_DEFAULTS.cookie.sameSite;
  }
  if (value === false) {
    return undefined;
  }
  const normalized = typeof value === 'string' ? value.toLowerCase() : value;
  if (typeof normalized === 'string' && SAME_SITE_VALUES.includes(normalized)) {
    return normalized as ResolvedSessionCookie['sameSite'];
  }
  problems.push(
    `'cookie.sameSite' must be 'lax', 'strict', 'none' or false, got ${describe(value)}.`,
  );
  return SESSIONS_DEFAULTS.cookie.sameSite;
}

function isStoreOption(value: unknown): value is SessionStoreOption {
  if (
    STORE_NAMES.includes(value as SessionStoreName) ||
    value instanceof SessionStore
  ) {
    return true;
  }
  return (
    typeof value === 'function' &&
    (value as Type).prototype instanceof SessionStore
  );
}
