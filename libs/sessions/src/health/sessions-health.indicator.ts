import { Injectable } from '@nestjs/common';
import { CleanupService } from '../cleanup/cleanup.service.js';
import { maskCredentials } from '../errors/mask-credentials.js';
import { SessionStore } from '../stores/session.store.js';
import { withDeadline } from '../stores/deadline.js';
import { generateSessionKey } from '../stores/session-key.js';

/** What `SessionsHealthIndicator.isHealthy()` checks. */
export interface SessionsHealthOptions {
  /**
   * Down when the store has not answered within this many milliseconds.
   * @default 1000
   */
  timeoutMs?: number;
  /**
   * Down when an expired session has waited longer than this many seconds to
   * be purged: the nightly cleanup is not running (on any instance). With the
   * nightly cron, expired sessions wait up to a day; two days (172800) says
   * a night was missed. Off by default.
   */
  maxExpiredAgeSeconds?: number;
}

/** The health of the sessions, as `@nestjs/terminus` takes a health indicator's result. */
export type SessionsHealthResult<Key extends string = string> = Record<
  Key,
  {
    status: 'up' | 'down';
    /** The store's answer time, in milliseconds; absent when it did not answer. */
    latencyMs?: number;
    /** Seconds the longest-waiting expired session has waited, when `maxExpiredAgeSeconds` is set. */
    oldestExpiredSeconds?: number;
    /** Why it is down. */
    message?: string;
  }
>;

const DEFAULT_TIMEOUT_MS = 1000;

/**
 * A health indicator for `@nestjs/terminus` (which the app installs; this
 * class does not import it): up when the session store answers a lookup in
 * time, with its latency; optionally down when expired sessions wait too
 * long for the cleanup.
 *
 * ```ts
 * @Get('health')
 * @HealthCheck()
 * check() {
 *   return this.health.check([() => this.sessions.isHealthy('sessions')]);
 * }
 * ```
 *
 * A down result is returned, not thrown, as terminus's
 * `HealthIndicatorService` makes it; the health check answers 503.
 */
@Injectable()
export class SessionsHealthIndicator {
  /** @internal Made by Nest's injector. */
  constructor(
    private readonly store: SessionStore,
    private readonly cleanup: CleanupService,
  ) {}

  /** Checks the store (and the cleanup's backlog, if asked) under `key`. */
  async isHealthy<const Key extends string>(
    key: Key,
    options: SessionsHealthOptions = {},
  ): Promise<SessionsHealthResult<Key>> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const started = performance.now();
    let failure: string | undefined;
    let oldestExpiredSeconds: number | undefined;
    try {
      // A key no session has: one indexed lookup in the store.
      await withDeadline(
        this.store.exists(generateSessionKey()),
        timeoutMs,
        () => new HealthTimeout(),
      );
      if (options.maxExpiredAgeSeconds !== undefined) {
        oldestExpiredSeconds = await withDeadline(
          this.cleanup.oldestExpiredSeconds(),
          timeoutMs,
          () => new HealthTimeout(),
        );
      }
    } catch (error) {
      failure =
        error instanceof HealthTimeout
          ? `the session store did not answer within ${timeoutMs} ms`
          : `the session store failed: ${maskCredentials((error as Error).message)}`;
    }
    const latencyMs = Math.round(performance.now() - started);
    if (failure !== undefined) {
      return result(key, { status: 'down', message: failure });
    }
    const tooOld =
      options.maxExpiredAgeSeconds !== undefined &&
      oldestExpiredSeconds !== undefined &&
      oldestExpiredSeconds > options.maxExpiredAgeSeconds;
    return result(key, {
      status: tooOld ? 'down' : 'up',
      latencyMs,
      ...(oldestExpiredSeconds === undefined ? {} : { oldestExpiredSeconds }),
      ...(tooOld
        ? {
            message:
              `an expired session has waited ${oldestExpiredSeconds} s to be purged, ` +
              `over ${options.maxExpiredAgeSeconds} s: is the cleanup running?`,
          }
        : {}),
    });
  }
}

function result<Key extends string>(
  key: Key,
  details: SessionsHealthResult[string],
): SessionsHealthResult<Key> {
  return { [key]: details } as SessionsHealthResult<Key>;
}

class HealthTimeout extends Error {}
