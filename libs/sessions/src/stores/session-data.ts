import { Logger } from '@nestjs/common';
import { SESSIONS_LOGGER_CONTEXT } from '../sessions.constants.js';
import type {
  SessionChanges,
  SessionData,
  SessionExpiry,
} from './session.store.js';

// Session data as the stores keep it: the one decoder of stored data, the
// data a save leaves, and the instant a session expires.

const logger = new Logger(SESSIONS_LOGGER_CONTEXT);

/**
 * Stored session data (a JSON object, or its JSON text) as a session object;
 * `null` for anything else (corrupt text, an array, a scalar), quietly: for
 * the stores' own bookkeeping, where `decodeSessionData()` warns on load.
 */
export function parseSessionData(stored: unknown): SessionData | null {
  let value = stored;
  if (typeof stored === 'string') {
    try {
      value = JSON.parse(stored);
    } catch {
      return null;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as SessionData)
    : null;
}

/**
 * A cache entry's session data: the JSON text of an object, as the cache
 * stores write it; `null` for anything else (a value another writer left
 * in the namespace included), quietly.
 */
export function parseSessionText(entry: unknown): SessionData | null {
  return typeof entry === 'string' ? parseSessionData(entry) : null;
}

/**
 * Stored session data as a session object, to load: anything but a JSON
 * object (or its text) yields `{}` and a warning, never an error: a visitor
 * with a damaged session gets an empty one.
 */
export function decodeSessionData(stored: unknown): SessionData {
  const data = parseSessionData(stored);
  if (data === null) {
    logger.warn(
      'Session data corrupted: the stored value is not a JSON object, so the session loads empty.',
    );
    return {};
  }
  return data;
}

/**
 * The data a save leaves, as the `'db'` store's UPDATE does:
 * `(stored - removed) || set`, then each key of `increments` the stored
 * number (0 if none) plus its amount; or `set` alone when the data was
 * replaced. Stored data that is not an object (corrupt, loaded as `{}`)
 * counts as empty.
 */
export function applySessionChanges(
  stored: SessionData | null,
  { set, removed, replaced, increments }: SessionChanges,
): SessionData {
  if (replaced) {
    return { ...set };
  }
  // Spread, not Object.assign(): a key named `__proto__` stays a plain key.
  const kept: SessionData = { ...stored };
  for (const key of removed) {
    delete kept[key];
  }
  const added = Object.entries(increments).map(
    ([key, amount]): [string, number] => [
      key,
      numberOr0(Object.hasOwn(kept, key) ? kept[key] : undefined) + amount,
    ],
  );
  return { ...kept, ...set, ...Object.fromEntries(added) };
}

/** A stored value to add to: the number, or 0 for none or anything else. */
export function numberOr0(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

/**
 * When a session expires, in epoch milliseconds, for the stores that keep
 * the instant themselves (a cookie, a file, a cache entry): seconds from
 * `now`, or the date.
 */
export function expiryInstant(
  expiry: SessionExpiry,
  now: number = Date.now(),
): number {
  return expiry instanceof Date ? expiry.getTime() : now + expiry * 1000;
}
