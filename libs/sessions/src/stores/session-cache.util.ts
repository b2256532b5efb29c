import type { Keyv } from 'keyv';
import type { ResolvedCacheOptions } from '../options/resolve-store-options.js';

/**
 * SKELETON: being built. The cache of the 'cache' and 'cached_db' stores:
 * `options.keyv` as given, else a Keyv on the Redis server of
 * `options.url`, else one in this process's memory; `owned` when made here
 * (the store closes it on shutdown).
 */
export function openSessionCache(options: ResolvedCacheOptions): {
  cache: Keyv;
  owned: boolean;
} {
  throw new Error(`openSessionCache: being built (${options.namespace})`);
}
