import { validateCronExpression } from 'cron';
import { booleanOption, describe, isPlainObject } from './option-checks.js';
import type { SessionsCleanupMode } from './sessions-module-options.interface.js';
import { SESSIONS_DEFAULTS } from './sessions-options.defaults.js';

/** The cleanup options with every default filled in. */
export interface ResolvedCleanupOptions {
  readonly enabled: boolean;
  readonly cron: string;
  readonly timeZone: string | undefined;
  readonly mode: SessionsCleanupMode;
  readonly batchSize: number;
}

const CLEANUP_KEYS = ['enabled', 'cron', 'timeZone', 'mode', 'batchSize'];

/** Above this, one statement holds locks and WAL for too long. */
export const MAX_CLEANUP_BATCH_SIZE = 100_000;

/**
 * Fills in the defaults of the `cleanup` options and adds their problems to
 * `problems`.
 */
export function resolveCleanupOptions(
  options: unknown,
  problems: string[],
): ResolvedCleanupOptions {
  const defaults = { ...SESSIONS_DEFAULTS.cleanup, timeZone: undefined };
  if (options === undefined) {
    return defaults;
  }
  if (!isPlainObject(options)) {
    problems.push(`'cleanup' must be an object, got ${describe(options)}.`);
    return defaults;
  }
  for (const key of Object.keys(options)) {
    if (!CLEANUP_KEYS.includes(key)) {
      problems.push(
        `unknown option 'cleanup.${key}' (known: ${CLEANUP_KEYS.join(', ')}).`,
      );
    }
  }
  const enabled = booleanOption(
    'cleanup.enabled',
    options.enabled,
    defaults.enabled,
    problems,
  );
  const cron = options.cron ?? defaults.cron;
  const cronProblem = whyNotCron(cron);
  if (cronProblem !== undefined) {
    problems.push(
      `'cleanup.cron' must be a cron expression such as '0 3 * * *', got ${describe(cron)}${cronProblem}.`,
    );
  }
  const timeZone = options.timeZone;
  if (timeZone !== undefined && !isTimeZone(timeZone)) {
    problems.push(
      `'cleanup.timeZone' must be an IANA time zone such as 'Europe/Paris', got ${describe(timeZone)}.`,
    );
  }
  const mode = options.mode ?? defaults.mode;
  if (!isCleanupMode(mode)) {
    problems.push(
      `'cleanup.mode' must be 'raw' or 'events', got ${describe(mode)}.`,
    );
  }
  const batchSize = options.batchSize ?? defaults.batchSize;
  if (!isBatchSize(batchSize)) {
    problems.push(
      `'cleanup.batchSize' must be a whole number from 1 to ${MAX_CLEANUP_BATCH_SIZE}, got ${describe(batchSize)}.`,
    );
  }
  return {
    enabled,
    cron: cron as string,
    timeZone: timeZone as string | undefined,
    mode: mode as SessionsCleanupMode,
    batchSize: batchSize as number,
  };
}

/** True for a whole number of sessions per batch, within bounds. */
export function isBatchSize(value: unknown): value is number {
  return (
    Number.isSafeInteger(value) &&
    (value as number) >= 1 &&
    (value as number) <= MAX_CLEANUP_BATCH_SIZE
  );
}

/** True for `'raw'` or `'events'`. */
export function isCleanupMode(value: unknown): value is SessionsCleanupMode {
  return value === 'raw' || value === 'events';
}

/** Why `value` is not a cron expression (`' (reason)'`), or undefined. */
function whyNotCron(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return '';
  }
  const { valid, error } = validateCronExpression(value);
  return valid ? undefined : ` (${error?.message ?? 'unreadable'})`;
}

function isTimeZone(value: unknown): boolean {
  if (typeof value !== 'string' || value === '') {
    return false;
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
