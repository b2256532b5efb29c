import type {
  SessionData,
  SessionExpiry,
  SessionWrite,
} from '../session.store.js';

/**
 * What one UPDATE does to a session's row: with `replaced`, the data becomes
 * `set`; without, it becomes `(data - removed) || set`.
 */
export interface RowUpdate {
  readonly replaced: boolean;
  readonly removed: readonly string[];
  readonly set: SessionData;
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
  for (const { data, changes } of writes) {
    if (changes.replaced) {
      // Everything stored before is gone: the data is all there is.
      replaced = true;
      removed = new Set();
      set = Object.assign(Object.create(null) as SessionData, data);
      continue;
    }
    for (const key of changes.removed) {
      delete set[key];
      if (!replaced) {
        removed.add(key);
      }
    }
    Object.assign(set, changes.set);
  }
  return {
    replaced,
    removed: [...removed],
    set,
    expiry: writes[writes.length - 1].expiry,
  };
}
