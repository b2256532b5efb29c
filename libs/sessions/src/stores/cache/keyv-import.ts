import type * as KeyvRedisPackage from '@keyv/redis';
import type * as KeyvPackage from 'keyv';
import { SessionsConfigurationError } from '../../errors/sessions-configuration.error.js';
import { SESSIONS_MESSAGES } from '../../errors/sessions.messages.js';

// 'keyv' and '@keyv/redis' are optional peer dependencies: only the 'cache'
// and 'cached_db' stores need them, so they are imported when one of those
// is made, never when the library loads.

let keyv: Promise<typeof KeyvPackage> | undefined;
let keyvRedis: Promise<typeof KeyvRedisPackage> | undefined;

/** The 'keyv' package, or an error that says to install it. */
export function importKeyv(): Promise<typeof KeyvPackage> {
  keyv ??= import('keyv').catch((error: unknown) => {
    keyv = undefined;
    throw missingPackage(error, 'keyv', 'a session cache in memory', 'keyv');
  });
  return keyv;
}

/** The '@keyv/redis' package, or an error that says to install it. */
export function importKeyvRedis(): Promise<typeof KeyvRedisPackage> {
  keyvRedis ??= import('@keyv/redis').catch((error: unknown) => {
    keyvRedis = undefined;
    throw missingPackage(
      error,
      '@keyv/redis',
      "a session cache on Redis ('cache.url')",
      'keyv @keyv/redis',
    );
  });
  return keyvRedis;
}

/**
 * Whether a Keyv's `store` is `@keyv/redis`'s: `false` when that package is
 * not installed, since then the store cannot be one.
 */
export async function isKeyvRedis(store: unknown): Promise<boolean> {
  if (typeof store !== 'object' || store === null) {
    return false;
  }
  try {
    const { default: KeyvRedis } = await importKeyvRedis();
    return store instanceof KeyvRedis;
  } catch {
    return false;
  }
}

/** A `SessionsConfigurationError` saying to install `name` if `error` is its absence, else `error`. */
function missingPackage(
  error: unknown,
  name: string,
  purpose: string,
  install: string,
): unknown {
  // ESM's code, and CommonJS's (bundled or transpiled apps).
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const notFound =
    error instanceof Error &&
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    error.message.includes(`'${name}'`);
  if (!notFound) {
    return error;
  }
  return new SessionsConfigurationError([
    SESSIONS_MESSAGES.packageMissing(purpose, name, install),
  ]);
}
