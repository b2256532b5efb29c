import { rowUpdateOf } from './row-update.js';
import { applySessionChanges } from '../session-data.js';
import type { SessionData, SessionWrite } from '../session.store.js';

const change = (
  set: SessionData,
  removed: string[] = [],
  expiry = 60,
): SessionWrite => ({
  data: set,
  changes: { set, removed, replaced: false, increments: {} },
  expiry,
});

/** `Session.increment(key, amount)` by a request that saw `seen` (and set `set`). */
const increment = (
  key: string,
  amount: number,
  seen: number,
  set: SessionData = {},
): SessionWrite => ({
  data: { ...set, [key]: seen + amount },
  changes: {
    set: { ...set, [key]: seen + amount },
    removed: [],
    replaced: false,
    increments: { [key]: amount },
  },
  expiry: 60,
});

const replacement = (data: SessionData, expiry = 60): SessionWrite => ({
  data,
  changes: { set: data, removed: [], replaced: true, increments: {} },
  expiry,
});

/** What the UPDATE makes of the stored data. */
function applied(stored: SessionData, writes: SessionWrite[]): SessionData {
  return applySessionChanges(stored, rowUpdateOf(writes));
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
      increments: {},
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
    [
      'increments of one key from the same loaded value',
      [increment('visits', 1, 1), increment('visits', 2, 1)],
    ],
    ['an increment of a new key', [increment('n', 1, 0), increment('n', 1, 0)]],
    [
      'a key set, then incremented',
      [change({ visits: 10 }), increment('visits', 1, 1)],
    ],
    [
      'a key incremented, then set',
      [increment('visits', 1, 1), change({ visits: 10 })],
    ],
    [
      'a key incremented, removed, incremented',
      [
        increment('visits', 1, 1),
        change({}, ['visits']),
        increment('visits', 1, 1),
      ],
    ],
    [
      'a clear, then an increment',
      [replacement({ visits: 5 }), increment('visits', 1, 1)],
    ],
    [
      'an increment, then a clear',
      [increment('visits', 1, 1), replacement({ x: 1 })],
    ],
    [
      'an increment beside a key set',
      [increment('visits', 1, 1, { theme: 'light' }), increment('cart', 1, 0)],
    ],
  ])('leaves the data as the writes one by one would: %s', (_case, writes) => {
    expect(applied(stored, writes)).toEqual(oneByOne(stored, writes));
  });

  it('adds to the stored value, whatever the writers saw', () => {
    // The row holds 3; the two requests loaded 1 before other writes.
    expect(
      applied(stored, [increment('visits', 1, 1), increment('visits', 1, 1)]),
    ).toEqual({ ...stored, visits: 5 });
    expect(
      rowUpdateOf([increment('visits', 1, 1), increment('visits', 2, 1)]),
    ).toMatchObject({ increments: { visits: 3 } });
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
