import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SessionCacheSource } from '../stores/cache/session-cache.js';
import type { SessionKeyv } from '../stores/cache/session-keyv.interface.js';
import { maskCredentials } from '../errors/mask-credentials.js';
import { describe, isPlainObject } from './option-checks.js';
import type { SessionStoreOption } from './sessions-module-options.interface.js';
import { SESSIONS_DEFAULTS } from './sessions-options.defaults.js';

/** The options of the stores that come with the module, with defaults filled in. */
export interface ResolvedStoreOptions {
  readonly secret: string | undefined;
  readonly fallbackSecrets: readonly string[];
  readonly cache: SessionCacheSource;
  readonly fileStore: { readonly path: string };
}

/** Shorter secrets can be guessed offline from one signed cookie. */
export const MIN_SECRET_LENGTH = 32;

const CACHE_KEYS = ['url', 'keyv', 'namespace'];
const FILE_STORE_KEYS = ['path'];

/**
 * Fills in the defaults of `secret`, `fallbackSecrets`, `cache` and
 * `fileStore`, and adds their problems to `problems`, including what the
 * chosen `store` needs and lacks.
 */
export function resolveStoreOptions(
  store: SessionStoreOption,
  options: {
    secret?: unknown;
    fallbackSecrets?: unknown;
    cache?: unknown;
    fileStore?: unknown;
  },
  problems: string[],
): ResolvedStoreOptions {
  const secret = resolveSecret(options.secret, problems);
  if (store === 'signed_cookies' && secret === undefined) {
    problems.push(
      `the 'signed_cookies' store needs 'secret': at least ${MIN_SECRET_LENGTH} random characters ` +
        `(e.g. from \`openssl rand -base64 48\`), from your configuration, not your code.`,
    );
  }
  return {
    secret,
    fallbackSecrets: resolveFallbackSecrets(options.fallbackSecrets, problems),
    cache: resolveCache(options.cache, problems),
    fileStore: resolveFileStore(options.fileStore, problems),
  };
}

function resolveSecret(value: unknown, problems: string[]): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!isSecret(value)) {
    problems.push(
      `'secret' must be a string of at least ${MIN_SECRET_LENGTH} characters, got ${describeSecret(value)}.`,
    );
    return undefined;
  }
  return value;
}

function resolveFallbackSecrets(
  value: unknown,
  problems: string[],
): readonly string[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value) || !value.every(isSecret)) {
    problems.push(
      `'fallbackSecrets' must be an array of strings of at least ${MIN_SECRET_LENGTH} characters each.`,
    );
    return [];
  }
  return value;
}

function resolveCache(
  options: unknown,
  problems: string[],
): SessionCacheSource {
  const defaults: SessionCacheSource = {
    url: undefined,
    keyv: undefined,
    namespace: SESSIONS_DEFAULTS.cache.namespace,
  };
  if (options === undefined) {
    return defaults;
  }
  if (!isPlainObject(options)) {
    problems.push(`'cache' must be an object, got ${describe(options)}.`);
    return defaults;
  }
  unknownKeys('cache', options, CACHE_KEYS, problems);
  const { url, keyv } = options;
  if (url !== undefined && !isRedisUrl(url)) {
    problems.push(
      `'cache.url' must be a redis:// or rediss:// URL, got ${maskCredentials(describe(url))}.`,
    );
  }
  if (keyv !== undefined && !isKeyv(keyv)) {
    problems.push(
      `'cache.keyv' must be a Keyv instance, got ${describe(keyv)}.`,
    );
  }
  if (url !== undefined && keyv !== undefined) {
    problems.push(`give 'cache.url' or 'cache.keyv', not both.`);
  }
  const namespace = options.namespace ?? defaults.namespace;
  if (typeof namespace !== 'string' || namespace === '') {
    problems.push(
      `'cache.namespace' must be a non-empty string, got ${describe(namespace)}.`,
    );
  }
  return {
    url: url as string | undefined,
    keyv: keyv as SessionKeyv | undefined,
    namespace: namespace as string,
  };
}

function resolveFileStore(
  options: unknown,
  problems: string[],
): { path: string } {
  const defaults = { path: join(tmpdir(), SESSIONS_DEFAULTS.fileStore.folder) };
  if (options === undefined) {
    return defaults;
  }
  if (!isPlainObject(options)) {
    problems.push(`'fileStore' must be an object, got ${describe(options)}.`);
    return defaults;
  }
  unknownKeys('fileStore', options, FILE_STORE_KEYS, problems);
  const { path } = options;
  if (path === undefined) {
    return defaults;
  }
  if (typeof path !== 'string' || path === '') {
    problems.push(
      `'fileStore.path' must be the path of a folder, got ${describe(path)}.`,
    );
    return defaults;
  }
  return { path: resolve(path) };
}

function unknownKeys(
  name: string,
  options: Record<string, unknown>,
  known: string[],
  problems: string[],
): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      problems.push(
        `unknown option '${name}.${key}' (known: ${known.join(', ')}).`,
      );
    }
  }
}

function isSecret(value: unknown): value is string {
  return typeof value === 'string' && value.length >= MIN_SECRET_LENGTH;
}

/** What the value is, without printing a secret. */
function describeSecret(value: unknown): string {
  return typeof value === 'string'
    ? `${value.length} characters`
    : describe(value);
}

function isRedisUrl(value: unknown): value is string {
  if (typeof value !== 'string') {
    return false;
  }
  try {
    const { protocol } = new URL(value);
    return protocol === 'redis:' || protocol === 'rediss:';
  } catch {
    return false;
  }
}

/** The methods of `SessionKeyv`, which the cache stores call. */
const KEYV_METHODS = [
  'get',
  'set',
  'has',
  'delete',
  'deleteMany',
  'clear',
  'disconnect',
  'on',
  'off',
];

/**
 * Whether the value is a `SessionKeyv` (a Keyv): its `store` and methods.
 * Checked by shape: 'keyv' is an optional peer dependency, not loaded to
 * read the options.
 */
function isKeyv(value: unknown): value is SessionKeyv {
  if (typeof value !== 'object' || value === null || !('store' in value)) {
    return false;
  }
  const members = value as Record<string, unknown>;
  return KEYV_METHODS.every((name) => typeof members[name] === 'function');
}
