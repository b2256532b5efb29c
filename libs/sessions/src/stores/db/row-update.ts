import { numberOr0 } from '../session-data.js';
import type {
  SessionChanges,
  SessionData,
  SessionExpiry,
  SessionWrite,
} from '../session.store.js';

/**
 * What one UPDATE does to a session's row: the changes, applied as
 * `applySessionChanges()` describes, and the new expiry.
 */
export interface RowUpdate extends SessionChanges {
  readonly expiry: SessionExpiry;
}

/**
 * The one update that leaves a row as the writes, applied one after another,
 * would: concurrent requests on one session share a statement, and each
 * request's changes are still applied whole, in the order they came.
 */
export function rowUpdateOf(writes: readonly SessionWrite[]): RowUpdate {
  let replaced = false;
  let removed = new Set<string>();
  // Without a prototype, a key named `__proto__` is a key like any other.
  let set: SessionData = Object.create(null) as SessionData;
  let increments = new Map<string, number>();
  for (const { data, changes } of writes) {
    if (changes.replaced) {
      // Everything stored before is gone: the data is all there is.
      replaced = true;
      removed = new Set();
      increments = new Map();
      set = Object.assign(Object.create(null) as SessionData, data);
      continue;
    }
    for (const key of changes.removed) {
      delete set[key];
      increments.delete(key);
      if (!replaced) {
        removed.add(key);
      }
    }
    for (const [key, value] of Object.entries(changes.set)) {
      const amount = Object.hasOwn(changes.increments, key)
        ? changes.increments[key]
        : undefined;
      const added = increments.get(key);
      if (amount === undefined) {
        set[key] = value;
        increments.delete(key);
      } else if (added !== undefined) {
        set[key] = value;
        increments.set(key, added + amount);
      } else if (key in set || replaced || removed.has(key)) {
        // An earlier write fixed the value: this one adds to it.
        set[key] = numberOr0(set[key]) + amount;
      } else {
        set[key] = value;
        increments.set(key, amount);
      }
    }
  }
  return {
    replaced,
    removed: [...removed],
    set,
    increments: Object.fromEntries(increments),
    expiry: writes[writes.length - 1].expiry,
  };
}
