import type { SessionExpiry } from './session.store.js';

/**
 * When a session expires, in epoch milliseconds, for the stores that keep
 * the instant themselves (a cookie, a file): seconds from `now`, or the date.
 */
export function expiryInstant(
  expiry: SessionExpiry,
  now: number = Date.now(),
): number {
  return expiry instanceof Date ? expiry.getTime() : now + expiry * 1000;
}
