import type { SessionData } from './session.store.js';

/**
 * Stored session data, as JSON text, if it is a JSON object; `null`
 * otherwise, quietly: for the stores' own bookkeeping (applying a save,
 * telling an empty session), where `decodeSessionData()` has already warned
 * on load.
 */
export function parseStoredObject(json: string): SessionData | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as SessionData)
    : null;
}
