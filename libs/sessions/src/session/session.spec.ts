import { inspect } from 'node:util';
import { SessionDataError } from '../errors/session-data.error.js';
import {
  type SessionData,
  SessionStore,
  type SessionWrite,
} from '../stores/session.store.js';
import {
  Session,
  type SessionSettings,
  sessionHasData,
  sessionRefreshDue,
} from './session.js';

/** The dictionary and expiry logic never reach the store; this one says so if they do. */
class UnreachableStore extends SessionStore {
  load(): Promise<SessionData | null> {
    throw new Error('the store was not expected to be used');
  }
  exists(): Promise<boolean> {
    throw new Error('the store was not expected to be used');
  }
  create(_write: SessionWrite): Promise<string> {
    throw new Error('the store was not expected to be used');
  }
  save(_key: string, _write: SessionWrite): Promise<string | null> {
    throw new Error('the store was not expected to be used');
  }
  delete(): Promise<boolean> {
    throw new Error('the store was not expected to be used');
  }
  deleteIfEmpty(): Promise<boolean> {
    throw new Error('the store was not expected to be used');
  }
  clearExpired(): Promise<number> {
    throw new Error('the store was not expected to be used');
  }
}

const TWO_WEEKS = 1209600;

function newSession(
  data: SessionData = {},
  settings: Partial<SessionSettings> = {},
): Session {
  return new Session(
    new UnreachableStore(),
    { maxAge: TWO_WEEKS, expireAtBrowserClose: false, ...settings },
    'k'.repeat(32),
    data,
  );
}

/** Reset the flags, as Django's tests do, to see what one call sets. */
function untouched(session: Session): Session {
  session.accessed = false;
  session.modified = false;
  return session;
}

describe('Session, the dictionary (as Django’s SessionBase)', () => {
  it('starts neither modified nor accessed', () => {
    const session = newSession();
    expect(session.modified).toBe(false);
    expect(session.accessed).toBe(false);
  });

  it('get() of a missing key gives undefined, or the default', () => {
    const session = newSession();
    expect(session.get('cat')).toBeUndefined();
    expect(session.get('cat', 'default')).toBe('default');
    expect(session.accessed).toBe(true);
    expect(session.modified).toBe(false);
  });

  it('set() stores and marks modified', () => {
    const session = newSession();
    session.set('cat', 'dog');
    expect(session.modified).toBe(true);
    expect(session.accessed).toBe(true);
    expect(session.get('cat')).toBe('dog');
  });

  it('pop() of a present key returns it and marks modified', () => {
    const session = untouched(newSession({ 'some key': 'exists' }));
    expect(session.pop('some key')).toBe('exists');
    expect(session.accessed).toBe(true);
    expect(session.modified).toBe(true);
    expect(session.get('some key')).toBeUndefined();
  });

  it('pop() of a missing key returns the default and does not mark modified', () => {
    const session = newSession();
    expect(session.pop('some key', 'does not exist')).toBe('does not exist');
    expect(session.pop('some key')).toBeUndefined();
    expect(session.accessed).toBe(true);
    expect(session.modified).toBe(false);
  });

  it('setDefault() stores only a missing key', () => {
    const session = newSession();
    expect(session.setDefault('foo', 'bar')).toBe('bar');
    expect(session.modified).toBe(true);
    const existing = untouched(newSession({ foo: 'bar' }));
    expect(existing.setDefault('foo', 'baz')).toBe('bar');
    expect(existing.accessed).toBe(true);
    expect(existing.modified).toBe(false);
  });

  it('update() stores every entry and marks modified', () => {
    const session = newSession();
    session.update({ 'update key': 1, other: [2] });
    expect(session.accessed).toBe(true);
    expect(session.modified).toBe(true);
    expect(session.get('update key')).toBe(1);
    expect(session.get('other')).toEqual([2]);
  });

  it('has() only accesses', () => {
    const session = untouched(newSession({ 'some key': 1 }));
    expect(session.has('some key')).toBe(true);
    expect(session.has('other')).toBe(false);
    expect(session.accessed).toBe(true);
    expect(session.modified).toBe(false);
  });

  it('delete() of a present key marks modified, of a missing one does not', () => {
    const session = untouched(newSession({ x: 1 }));
    expect(session.delete('missing')).toBe(false);
    expect(session.modified).toBe(false);
    expect(session.delete('x')).toBe(true);
    expect(session.modified).toBe(true);
  });

  it.each(['keys', 'values', 'entries'] as const)(
    '%s() only accesses',
    (method) => {
      const session = untouched(newSession({ x: 1 }));
      const expected = { keys: ['x'], values: [1], entries: [['x', 1]] }[
        method
      ];
      expect(session[method]()).toEqual(expected);
      expect(session.accessed).toBe(true);
      expect(session.modified).toBe(false);
    },
  );

  it('values() of an empty session is empty, and accesses', () => {
    const session = newSession();
    expect(session.values()).toEqual([]);
    expect(session.accessed).toBe(true);
  });

  it('clear() empties, accesses and marks modified', () => {
    const session = untouched(newSession({ x: 1 }));
    session.clear();
    expect(session.entries()).toEqual([]);
    expect(session.accessed).toBe(true);
    expect(session.modified).toBe(true);
  });

  it('isEmpty() is true only without key and data, and does not access', () => {
    const fresh = new Session(
      new UnreachableStore(),
      { maxAge: TWO_WEEKS, expireAtBrowserClose: false },
      null,
      {},
    );
    expect(fresh.isEmpty()).toBe(true);
    expect(newSession({}).isEmpty()).toBe(false);
    fresh.set('a', 1);
    expect(fresh.isEmpty()).toBe(false);
    expect(untouched(fresh).isEmpty()).toBe(false);
    expect(fresh.accessed).toBe(false);
  });

  it('sessionHasData() tells data apart without marking the session accessed', () => {
    const session = newSession({ a: 1 });
    expect(sessionHasData(session)).toBe(true);
    session.delete('a');
    expect(sessionHasData(untouched(session))).toBe(false);
    expect(session.accessed).toBe(false);
  });

  it('has a read-only key', () => {
    const session = newSession();
    expect(() => {
      (session as unknown as { sessionKey: string }).sessionKey = 'x'.repeat(
        32,
      );
    }).toThrow(TypeError);
  });

  it('serializes to its data, and keeps data and the full key out of inspect()', () => {
    const session = newSession({ secret: 'hunter2' });
    expect(JSON.stringify(session)).toBe('{"secret":"hunter2"}');
    expect(inspect(session)).toBe(
      'Session { key: kkkk…, keys: 1, modified: false }',
    );
  });
});

describe('Session values must be JSON', () => {
  it.each([
    ['a Date', new Date()],
    ['a Map', new Map()],
    ['undefined', undefined],
    ['a function', () => 1],
    ['a bigint', 1n],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a nested Set', { ids: new Set([1]) }],
    ['an undefined array item', [1, undefined]],
    ['a NUL character', 'a\u0000b'],
    ['a lone surrogate', 'a\ud800b'],
    ['a NUL character in a property name', { 'a\u0000': 1 }],
  ])('rejects %s with SessionDataError, storing nothing', (_label, value) => {
    const session = newSession();
    expect(() => session.set('bad', value)).toThrow(SessionDataError);
    expect(() => session.update({ good: 1, bad: value })).toThrow(
      SessionDataError,
    );
    expect(session.has('good')).toBe(false);
    expect(session.modified).toBe(false);
  });

  it('rejects a key PostgreSQL could not store', () => {
    expect(() => newSession().set('a\u0000', 1)).toThrow(
      'The session value for key "a\\u0000" cannot be stored: it contains a NUL character',
    );
  });

  it('rejects a circular structure', () => {
    const value: Record<string, unknown> = {};
    value.self = value;
    expect(() => newSession().set('loop', value)).toThrow(/circular/);
  });

  it('names the key and the reason', () => {
    expect(() => newSession().set('when', new Date())).toThrow(
      'The session value for key "when" cannot be stored: a Date is not a plain object',
    );
  });

  it('accepts JSON values, and a shared (not circular) object twice', () => {
    const shared = { a: 1 };
    const session = newSession();
    session.set('all', {
      text: 's',
      number: 1.5,
      yes: true,
      nothing: null,
      list: [1, 'two', [3], { four: 4 }],
      left: shared,
      right: shared,
      skipped: undefined,
    });
    expect(session.get('all')).toMatchObject({
      left: { a: 1 },
      right: { a: 1 },
    });
    session.set('bare', Object.create(null));
  });
});

describe('Session expiry (as Django’s set_expiry / get_expiry_*)', () => {
  const modification = new Date('2026-11-22T10:00:00.000Z');

  it('defaults to the module’s maxAge', () => {
    const session = newSession();
    expect(session.getExpiryAge()).toBe(TWO_WEEKS);
    session.setExpiry(0);
    expect(session.getExpiryAge()).toBe(TWO_WEEKS);
  });

  it('follows setExpiry(seconds)', () => {
    const session = newSession();
    session.setExpiry(10);
    expect(session.getExpiryDate({ modification })).toEqual(
      new Date(modification.getTime() + 10_000),
    );
    expect(session.getExpiryAge({ modification })).toBe(10);
    expect(session.modified).toBe(true);
  });

  it('follows setExpiry(Date), stored as ISO text', () => {
    const at = new Date(modification.getTime() + 10_000);
    const session = newSession();
    session.setExpiry(at);
    expect(session.get('_session_expiry')).toBe(at.toISOString());
    expect(session.getExpiryDate({ modification })).toEqual(at);
    expect(session.getExpiryAge({ modification })).toBe(10);
  });

  it('rounds the age of a Date expiry down to whole seconds', () => {
    const session = newSession();
    session.setExpiry(new Date(modification.getTime() + 10_999));
    expect(session.getExpiryAge({ modification })).toBe(10);
    session.setExpiry(new Date(modification.getTime() - 500));
    expect(session.getExpiryAge({ modification })).toBe(-1);
  });

  it('takes an expiry given to the getters instead of its own', () => {
    const session = newSession();
    expect(session.getExpiryAge({ modification, expiry: 30 })).toBe(30);
    expect(
      session.getExpiryAge({
        modification,
        expiry: new Date(modification.getTime() + 5_000).toISOString(),
      }),
    ).toBe(5);
    expect(session.getExpiryAge({ expiry: null })).toBe(TWO_WEEKS);
  });

  it('goes back to the default with setExpiry(null)', () => {
    const session = newSession();
    session.setExpiry(null);
    expect(session.modified).toBe(false);
    session.setExpiry(10);
    session.setExpiry(null);
    expect(session.getExpiryAge()).toBe(TWO_WEEKS);
    expect(session.has('_session_expiry')).toBe(false);
  });

  it.each([false, true])(
    'getExpireAtBrowserClose() with expireAtBrowserClose %s',
    (expireAtBrowserClose) => {
      const session = newSession({}, { expireAtBrowserClose });
      session.setExpiry(10);
      expect(session.getExpireAtBrowserClose()).toBe(false);
      session.setExpiry(0);
      expect(session.getExpireAtBrowserClose()).toBe(true);
      session.setExpiry(null);
      expect(session.getExpireAtBrowserClose()).toBe(expireAtBrowserClose);
    },
  );

  it('falls back to the default for an unreadable stored expiry', () => {
    const session = newSession({ _session_expiry: 'not a date' });
    expect(session.getExpiryAge()).toBe(TWO_WEEKS);
  });

  it.each([
    Number.NaN,
    1.5,
    1e20,
    -1e20,
    new Date('invalid'),
    '10' as unknown as number,
  ])('rejects setExpiry(%p)', (value) => {
    expect(() => newSession().setExpiry(value)).toThrow(SessionDataError);
  });
});

/** Keeps the writes it is given, so a test can see what a save sends. */
class RecordingStore extends UnreachableStore {
  readonly saved: SessionWrite[] = [];

  override save(key: string, write: SessionWrite): Promise<string | null> {
    this.saved.push(write);
    return Promise.resolve(key);
  }
}

describe('Session.increment()', () => {
  function loaded(data: SessionData): [Session, RecordingStore] {
    const store = new RecordingStore();
    const session = new Session(
      store,
      { maxAge: TWO_WEEKS, expireAtBrowserClose: false },
      'k'.repeat(32),
      data,
    );
    return [session, store];
  }

  it('returns the sum, marks modified, and saves an addition to the stored number', async () => {
    const [session, store] = loaded({ visits: 3, theme: 'dark' });

    expect(session.increment('visits')).toBe(4);
    expect(session.increment('visits', 2.5)).toBe(6.5);
    expect(session.increment('new', -2)).toBe(-2);
    expect(session.modified).toBe(true);
    expect(session.get('visits')).toBe(6.5);
    await session.save();

    expect(store.saved[0].changes).toEqual({
      set: { visits: 6.5, new: -2 },
      removed: [],
      replaced: false,
      increments: { visits: 3.5, new: -2 },
    });
  });

  it('adds in place again after a save', async () => {
    const [session, store] = loaded({ visits: 3 });
    session.increment('visits');
    await session.save();

    session.increment('visits');
    await session.save();

    expect(store.saved[1].changes.increments).toEqual({ visits: 1 });
  });

  it.each<[string, (session: Session) => void, Record<string, number>]>([
    ['set', (session) => session.set('visits', 10), { visits: 11 }],
    ['deleted', (session) => session.delete('visits'), { visits: 1 }],
    ['cleared', (session) => session.clear(), { visits: 1 }],
  ])(
    'writes the sum as a value when the request %s the key first',
    async (_case, change, expected) => {
      const [session, store] = loaded({ visits: 3 });
      change(session);
      session.increment('visits');
      await session.save();

      expect(store.saved[0].changes.set).toEqual(expected);
      expect(store.saved[0].changes.increments).toEqual({});
    },
  );

  it('drops the addition when the request then sets or deletes the key', async () => {
    const [session, store] = loaded({ a: 1, b: 1 });
    session.increment('a');
    session.increment('b');
    session.set('a', 'text');
    session.delete('b');
    await session.save();

    expect(store.saved[0].changes).toMatchObject({
      set: { a: 'text' },
      removed: ['b'],
      increments: {},
    });
  });

  it('refuses a value that is not a number, and an amount that is not finite, changing nothing', () => {
    const [session] = loaded({ name: 'Zoë', list: [1], none: null, n: 1 });

    expect(() => session.increment('name')).toThrow(
      /"name" cannot be stored: increment\(\) adds to a number \(or to nothing\), and the session holds a string there/,
    );
    expect(() => session.increment('list')).toThrow(/holds an array there/);
    expect(() => session.increment('none')).toThrow(/holds null there/);
    expect(() => session.increment('n', Number.NaN)).toThrow(
      /increment\(\) takes a finite number that keeps the sum finite, got NaN/,
    );
    expect(() => session.increment('n', Number.MAX_VALUE * 2)).toThrow(
      SessionDataError,
    );
    expect(() => session.increment('n', '1' as unknown as number)).toThrow(
      /got 1/,
    );
    expect(session.modified).toBe(false);
    expect(session.toJSON()).toEqual({
      name: 'Zoë',
      list: [1],
      none: null,
      n: 1,
    });
  });
});

describe('sessionRefreshDue() (touchAfter)', () => {
  const settings = { maxAge: 3600, expireAtBrowserClose: false };
  const loaded = (data: SessionData, expiresIn: number | undefined) =>
    new Session(
      new UnreachableStore(),
      settings,
      'k'.repeat(32),
      data,
      expiresIn,
    );

  it('is due once the expiry was set touchAfter seconds ago, by the time the store said was left', () => {
    expect(sessionRefreshDue(loaded({}, 3600 - 59), 60)).toBe(false);
    expect(sessionRefreshDue(loaded({}, 3600 - 60), 60)).toBe(true);
    // A lifetime of its own: counted from it.
    expect(sessionRefreshDue(loaded({ _session_expiry: 600 }, 500), 60)).toBe(
      true,
    );
    expect(sessionRefreshDue(loaded({ _session_expiry: 600 }, 590), 60)).toBe(
      false,
    );
  });

  it('is never due for a fixed date, a store that did not say, or a session not stored', () => {
    const date = new Date(Date.now() + 1000).toISOString();
    expect(sessionRefreshDue(loaded({ _session_expiry: date }, 1), 60)).toBe(
      false,
    );
    expect(sessionRefreshDue(loaded({}, undefined), 60)).toBe(false);
    const fresh = new Session(new UnreachableStore(), settings, null, {});
    expect(sessionRefreshDue(fresh, 60)).toBe(false);
  });
});
