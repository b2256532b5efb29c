import { rowUpdateOf } from './row-update.js';
import type { SessionData, SessionWrite } from '../session.store.js';

const change = (
  set: SessionData,
  removed: string[] = [],
  expiry = 60,
): SessionWrite => ({
  data: set,
  changes: { set, removed, replaced: false },
  expiry,
});

const replacement = (data: SessionData, expiry = 60): SessionWrite => ({
  data,
  changes: { set: data, removed: [], replaced: true },
  expiry,
});

/** What the UPDATE makes of the stored data. */
function applied(stored: SessionData, writes: SessionWrite[]): SessionData {
  const { replaced, removed, set } = rowUpdateOf(writes);
  if (replaced) {
    return { ...set };
  }
  const kept = Object.fromEntries(
    Object.entries(stored).filter(([key]) => !removed.includes(key)),
  );
  return { ...kept, ...set };
}

/** The writes applied one after another, each as its own UPDATE. */
function oneByOne(stored: SessionData, writes: SessionWrite[]): SessionData {
  return writes.reduce((data, write) => applied(data, [write]), stored);
}

describe('rowUpdateOf', () => {
  const stored = { cart: [1], theme: 'dark', visits: 3 };

  it('is the write itself for one write', () => {
    expect(rowUpdateOf([change({ visits: 4 }, ['cart'], 120)])).toEqual({
      replaced: false,
      removed: ['cart'],
      set: { visits: 4 },
      expiry: 120,
    });
  });

  it.each<[string, SessionWrite[]]>([
    [
      'keys set by both: the later wins',
      [change({ a: 1, b: 1 }), change({ b: 2 })],
    ],
    ['a key set, then removed', [change({ a: 1 }), change({}, ['a'])]],
    [
      'a key removed, then set',
      [change({}, ['theme']), change({ theme: 'light' })],
    ],
    [
      'a clear, then a change',
      [replacement({ fresh: true }), change({ b: 2 }, ['fresh'])],
    ],
    ['a change, then a clear', [change({ b: 2 }), replacement({})]],
    [
      'changes around a clear',
      [change({}, ['visits']), replacement({ x: 1 }), change({ y: 2 })],
    ],
  ])('leaves the data as the writes one by one would: %s', (_case, writes) => {
    expect(applied(stored, writes)).toEqual(oneByOne(stored, writes));
  });

  it('takes the expiry of the last write', () => {
    expect(rowUpdateOf([change({}, [], 10), change({}, [], 20)]).expiry).toBe(
      20,
    );
  });

  it('keeps a key named __proto__ as a key', () => {
    const set = JSON.parse('{"__proto__": 1}') as SessionData;
    expect(JSON.stringify(rowUpdateOf([change(set)]).set)).toBe(
      '{"__proto__":1}',
    );
  });
});
