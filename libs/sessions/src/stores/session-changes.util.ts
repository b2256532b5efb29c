import type { SessionChanges, SessionData } from './session.store.js';

/**
 * The data a save leaves, as the `'db'` store's UPDATE does:
 * `(stored - removed) || set`; or `set` alone when the data was replaced or
 * the stored data is not an object (corrupt, loaded as `{}`).
 */
export function applySessionChanges(
  stored: SessionData | null,
  { set, removed, replaced }: SessionChanges,
): SessionData {
  if (replaced || stored === null) {
    return { ...set };
  }
  // Spread, not Object.assign(): a key named `__proto__` stays a plain key.
  const data: SessionData = { ...stored };
  for (const key of removed) {
    delete data[key];
  }
  return { ...data, ...set };
}
