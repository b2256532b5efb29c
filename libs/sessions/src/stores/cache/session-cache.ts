import { Logger } from '@nestjs/common';
import type { SessionKeyv } from './session-keyv.interface.js';
import { SESSIONS_LOGGER_CONTEXT } from '../../sessions.constants.js';
import { importKeyv, importKeyvRedis, isKeyvRedis } from './keyv-import.js';

/**
 * How long the connection to Redis may take to open. Past it, the request
 * that needed the cache fails (`'cache'`) or goes on without it
 * (`'cached_db'`).
 */
export const REDIS_CONNECT_TIMEOUT_MS = 1000;

/**
 * The longest wait between two attempts to reconnect to a Redis server that
 * went away. Attempts start at 50 ms and double up to this.
 */
export const REDIS_MAX_RECONNECT_DELAY_MS = 500;

/** Where a session cache comes from: the `cache` option, resolved. */
export interface SessionCacheSource {
  /** An app's own Keyv, used as it is. */
  readonly keyv: SessionKeyv | undefined;
  /** A Redis server's URL, for a Keyv made here. */
  readonly url: string | undefined;
  readonly namespace: string;
}

/**
 * The cache of the `'cache'` and `'cached_db'` stores: `options.keyv` as
 * given (the app owns it; its own namespace applies), else a Keyv on the
 * Redis server of `options.url`, else one in this process's memory, both
 * under `options.namespace`. `owned` when made here: the store closes it on
 * shutdown (`closeSessionCache()`).
 *
 * A cache made here never hides a failure: every error is thrown
 * (`throwOnErrors`). On Redis, a command sent while the connection is down
 * fails at once instead of waiting in node-redis's offline queue, the first
 * connection gives up after `REDIS_CONNECT_TIMEOUT_MS` (the next request
 * tries again), and a connection that was up is re-established in the
 * background, `REDIS_MAX_RECONNECT_DELAY_MS` apart at most.
 */
export async function openSessionCache(options: SessionCacheSource): Promise<{
  cache: SessionKeyv;
  owned: boolean;
}> {
  if (options.keyv !== undefined) {
    return { cache: options.keyv, owned: false };
  }
  if (options.url !== undefined) {
    return {
      cache: await redisCache(options.url, options.namespace),
      owned: true,
    };
  }
  const { Keyv } = await importKeyv();
  return {
    cache: new Keyv({ namespace: options.namespace, throwOnErrors: true }),
    owned: true,
  };
}

/**
 * Closes a cache `openSessionCache()` made. A Redis connection is dropped
 * at once rather than after the replies it waits for: by the time Nest
 * shuts the providers down the HTTP server is closed, so only commands a
 * hung server never answered can be waiting, and they would hold shutdown
 * forever.
 */
export async function closeSessionCache(cache: SessionKeyv): Promise<void> {
  const store: unknown = cache.store;
  if (await isKeyvRedis(store)) {
    await (store as { disconnect(force: boolean): Promise<void> }).disconnect(
      true,
    );
    return;
  }
  await cache.disconnect();
}

async function redisCache(
  url: string,
  namespace: string,
): Promise<SessionKeyv> {
  const { createClient, createKeyv } = await importKeyvRedis();
  // Until the first connection is made, a failure to connect ends the
  // attempt (the request gets the error, the next one tries again) instead
  // of retrying in a loop that the request would wait on.
  let connectedOnce = false;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number, cause: Error) =>
        connectedOnce
          ? Math.min(50 * 2 ** retries, REDIS_MAX_RECONNECT_DELAY_MS)
          : cause,
    },
  });
  client.on('ready', () => {
    connectedOnce = true;
  });
  return createKeyv(client, {
    namespace,
    throwOnErrors: true,
    throwOnConnectError: true,
  });
}

const logger = new Logger(SESSIONS_LOGGER_CONTEXT);

/**
 * Warns about an app's Keyv made without `throwOnErrors`: it answers a
 * failure as if the session were not there, which would drop visitors'
 * sessions instead of failing the request.
 */
export function warnIfErrorsHidden(cache: SessionKeyv): void {
  if (!cache.throwOnErrors) {
    logger.warn(
      'The Keyv given as the session cache hides its errors (throwOnErrors is off): while it fails, ' +
        'sessions look missing instead of failing the request. Create it with { throwOnErrors: true } ' +
        "(and, with @keyv/redis, the client's disableOfflineQueue: true, so that a Redis outage fails fast).",
    );
  }
}
