/// <reference types="jest" />
import { randomBytes } from 'node:crypto';
import type {
  SessionData,
  SessionExpiry,
  SessionStore,
  SessionWrite,
} from '../stores/session.store.js';

/** A store under test, and what the suite needs to reach around it. */
export interface SessionStoreContractSubject {
  /** The store, connected to its real backing server. */
  readonly store: SessionStore;
  /**
   * Whether the store keeps sessions on the server under keys of its own
   * (`newSessionKey()`). `false` for a store that gives the whole session to
   * the client (signed cookies): its keys are not looked up, and a session
   * it deleted cannot be revoked, so those cases are skipped.
   * @default true
   */
  readonly serverSide?: boolean;
  /**
   * Makes the session `key` names hold data that cannot be decoded (not
   * JSON, or JSON that is not an object), as a bug or a hand edit would;
   * resolves with the key that now names it.
   */
  corrupt(key: string): Promise<string>;
  /** Releases what the subject holds: connections, servers, folders. */
  close?(): Promise<void>;
}

/** An hour from now, in the form of `setExpiry()`'s seconds. */
const AN_HOUR = 3600;

/**
 * The behaviours every `SessionStore` must have, as a jest suite: create
 * (with collision retry), load, exists, saving changes, delete, expiry,
 * cycling the key, clearing expired sessions, corrupt data. Call it from a
 * spec file, with a factory that builds the store on its real backing
 * server:
 *
 * ```ts
 * describeSessionStoreContract('MyStore', async () => ({
 *   store: new MyStore(await connect()),
 *   corrupt: async (key) => { await writeRaw(key, 'not json'); return key; },
 * }));
 * ```
 *
 * The factory runs once, before the suite's tests; `close()` after them.
 */
export function describeSessionStoreContract(
  name: string,
  factory: () =>
    SessionStoreContractSubject | Promise<SessionStoreContractSubject>,
): void {
  describe(`${name} (SessionStore contract)`, () => {
    let subject: SessionStoreContractSubject;
    let store: SessionStore;
    let serverSide: boolean;

    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
      serverSide = subject.serverSide ?? true;
    });

    afterAll(async () => {
      await subject?.close?.();
    });

    /** Skips the test for a store that keeps sessions with the client. */
    function onlyServerSide(): boolean {
      return !serverSide;
    }

    describe('create and load', () => {
      it('stores a new session under a key it accepts, and loads its data back', async () => {
        const data = {
          name: 'Zoë',
          visits: 3,
          ratio: 0.25,
          admin: false,
          nothing: null,
          tags: ['a', 'b'],
          nested: { deep: { emoji: '🍪', quote: `"'\\` } },
        };
        const key = await store.create(sessionWrite(data));

        expect(typeof key).toBe('string');
        expect(store.acceptsKey(key)).toBe(true);
        expect(await store.load(key)).toEqual(data);
      });

      it('gives each load its own copy of the data', async () => {
        const key = await store.create(sessionWrite({ list: [1] }));
        const first = await store.load(key);
        (first!.list as number[]).push(2);
        first!.added = true;

        expect(await store.load(key)).toEqual({ list: [1] });
      });

      it('gives every new session a different key', async () => {
        const keys = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.create(sessionWrite({ i })),
          ),
        );

        expect(new Set(keys).size).toBe(20);
        for (const [i, key] of keys.entries()) {
          expect(await store.load(key)).toEqual({ i });
        }
      });

      it('loads nothing under a key it never gave', async () => {
        const key = randomKey();

        expect(await store.load(key)).toBeNull();
        expect(await store.exists(key)).toBe(false);
      });

      it('says a session it holds exists', async () => {
        const key = await store.create(sessionWrite({ a: 1 }));

        expect(await store.exists(key)).toBe(true);
      });

      it('refuses malformed and hostile keys', () => {
        for (const key of HOSTILE_KEYS) {
          expect([key, store.acceptsKey(key)]).toEqual([key, false]);
        }
      });
    });

    describe('key collisions', () => {
      it('picks another key rather than overwrite a session', async () => {
        if (onlyServerSide()) return;
        const taken = await store.create(sessionWrite({ owner: 'first' }));
        const fresh = randomKey();
        nextKeys(store, [taken, taken, fresh]);

        const key = await store.create(sessionWrite({ owner: 'second' }));

        expect(key).toBe(fresh);
        expect(await store.load(taken)).toEqual({ owner: 'first' });
        expect(await store.load(fresh)).toEqual({ owner: 'second' });
      });

      it('gives up, and overwrites nothing, when every key it tries is taken', async () => {
        if (onlyServerSide()) return;
        const taken = await store.create(sessionWrite({ owner: 'first' }));
        alwaysKey(store, taken);

        try {
          await expect(
            store.create(sessionWrite({ owner: 'second' })),
          ).rejects.toThrow();
        } finally {
          restoreKeys(store);
        }
        expect(await store.load(taken)).toEqual({ owner: 'first' });
      });
    });

    describe('save', () => {
      it('writes the keys set and removed, keeping the others', async () => {
        const key = await store.create(sessionWrite({ a: 1, b: 2, c: 3 }));

        const saved = await store.save(
          key,
          sessionWrite(
            { a: 10, c: 3, d: 4 },
            { set: { a: 10, d: 4 }, removed: ['b'] },
          ),
        );

        expect(saved).not.toBeNull();
        expect(await store.load(saved!)).toEqual({ a: 10, c: 3, d: 4 });
        if (serverSide) {
          expect(saved).toBe(key);
        }
      });

      it('replaces the whole data after a clear', async () => {
        const key = await store.create(sessionWrite({ a: 1, b: 2 }));

        const saved = await store.save(
          key,
          sessionWrite({ c: 3 }, { set: { c: 3 }, replaced: true }),
        );

        expect(await store.load(saved!)).toEqual({ c: 3 });
      });

      it('keeps the changes of two writers that changed different keys', async () => {
        if (onlyServerSide()) return;
        const key = await store.create(sessionWrite({ start: true }));

        await Promise.all([
          store.save(
            key,
            sessionWrite({ start: true, x: 1 }, { set: { x: 1 } }),
          ),
          store.save(
            key,
            sessionWrite({ start: true, y: 2 }, { set: { y: 2 } }),
          ),
        ]);
        await store.save(
          key,
          sessionWrite({ start: true, z: 3 }, { set: { z: 3 } }),
        );

        expect(await store.load(key)).toEqual({
          start: true,
          x: 1,
          y: 2,
          z: 3,
        });
      });

      it('adds increments to the stored number, so that concurrent ones all count', async () => {
        if (onlyServerSide()) return;
        const key = await store.create(sessionWrite({ visits: 1 }));
        // Each writer loaded visits = 1 and adds to it.
        const adding = (amount: number) =>
          store.save(
            key,
            sessionWrite(
              { visits: 1 + amount },
              { set: { visits: 1 + amount }, increments: { visits: amount } },
            ),
          );

        await Promise.all([adding(1), adding(2), adding(3)]);
        await adding(4);

        expect(await store.load(key)).toEqual({ visits: 11 });
      });

      it('lets the last of two writes of one key win', async () => {
        if (onlyServerSide()) return;
        const key = await store.create(sessionWrite({ color: 'red' }));

        await store.save(key, sessionWrite({ color: 'green' }));
        await store.save(key, sessionWrite({ color: 'blue' }));

        expect(await store.load(key)).toEqual({ color: 'blue' });
      });

      it('never brings back a deleted session', async () => {
        if (onlyServerSide()) return;
        const key = await store.create(sessionWrite({ a: 1 }));
        await store.delete(key);

        expect(await store.save(key, sessionWrite({ a: 2 }))).toBeNull();
        expect(await store.load(key)).toBeNull();
        expect(await store.exists(key)).toBe(false);
      });

      it('never creates a session under a key it never gave', async () => {
        if (onlyServerSide()) return;
        const key = randomKey();

        expect(await store.save(key, sessionWrite({ a: 1 }))).toBeNull();
        expect(await store.load(key)).toBeNull();
      });
    });

    describe('delete', () => {
      it('deletes the session, and says whether there was one', async () => {
        const key = await store.create(sessionWrite({ a: 1 }));

        expect(await store.delete(key)).toBe(true);
        if (serverSide) {
          expect(await store.load(key)).toBeNull();
          expect(await store.exists(key)).toBe(false);
          expect(await store.delete(key)).toBe(false);
        }
      });

      it('deletes an emptied session, and only an empty one', async () => {
        const key = await store.create(sessionWrite({ a: 1 }));

        expect(await store.deleteIfEmpty(key)).toBe(false);
        expect(await store.load(key)).toEqual({ a: 1 });

        const emptied = await store.save(
          key,
          sessionWrite({}, { set: {}, removed: ['a'] }),
        );
        expect(await store.deleteIfEmpty(emptied!)).toBe(true);
        if (serverSide) {
          expect(await store.load(key)).toBeNull();
        }
      });
    });

    describe('cycle', () => {
      it('moves the data to a new key, and the old key loads nothing', async () => {
        const old = await store.create(sessionWrite({ cart: [1, 2] }));

        expect(await store.delete(old)).toBe(true);
        const key = await store.create(sessionWrite({ cart: [1, 2] }));

        expect(key).not.toBe(old);
        expect(await store.load(key)).toEqual({ cart: [1, 2] });
        if (serverSide) {
          expect(await store.load(old)).toBeNull();
        }
      });
    });

    describe('expiry', () => {
      it('keeps a session until its expiry, given in seconds or as a date', async () => {
        const inSeconds = await store.create(
          sessionWrite({ a: 1 }, { expiry: 60 }),
        );
        const atDate = await store.create(
          sessionWrite({ b: 2 }, { expiry: new Date(Date.now() + 60_000) }),
        );

        expect(await store.load(inSeconds)).toEqual({ a: 1 });
        expect(await store.load(atDate)).toEqual({ b: 2 });
      });

      it('loads nothing once the session has expired', async () => {
        const key = await store.create(sessionWrite({ a: 1 }));
        const saved = await store.save(
          key,
          sessionWrite({ a: 1 }, { expiry: past() }),
        );
        const created = await store.create(
          sessionWrite({ b: 2 }, { expiry: past() }),
        );

        for (const expired of [saved ?? key, created]) {
          expect(await store.load(expired)).toBeNull();
          expect(await store.exists(expired)).toBe(false);
        }
      });

      it('does not save an expired session', async () => {
        if (onlyServerSide()) return;
        const key = await store.create(sessionWrite({ a: 1 }));
        await store.save(key, sessionWrite({ a: 1 }, { expiry: past() }));

        expect(await store.save(key, sessionWrite({ a: 2 }))).toBeNull();
        expect(await store.load(key)).toBeNull();
      });

      it('moves the expiry with each save', async () => {
        const key = await store.create(
          sessionWrite({ a: 1 }, { expiry: past() }),
        );
        const live = await store.create(sessionWrite({ b: 2 }, { expiry: 1 }));
        const saved = await store.save(
          live,
          sessionWrite({ b: 3 }, { expiry: 600 }),
        );

        expect(await store.load(key)).toBeNull();
        expect(await store.load(saved!)).toEqual({ b: 3 });
      });

      it('clears expired sessions, and only those', async () => {
        const live = await store.create(sessionWrite({ live: true }));
        const expired = await store.create(
          sessionWrite({ old: true }, { expiry: past() }),
        );

        const cleared = await store.clearExpired();

        if (store.expiresByItself) {
          expect(cleared).toBe(0);
        } else {
          expect(cleared).toBeGreaterThanOrEqual(1);
        }
        expect(await store.load(expired)).toBeNull();
        expect(await store.load(live)).toEqual({ live: true });
        expect(await store.clearExpired()).toBe(0);
      });
    });

    describe('corrupt data', () => {
      it('loads an empty session, without an error, and saves over it', async () => {
        const stored = await store.create(sessionWrite({ a: 1 }));
        const key = await subject.corrupt(stored);

        expect(await store.load(key)).toEqual({});
        const saved = await store.save(
          key,
          sessionWrite({ b: 2 }, { set: { b: 2 } }),
        );
        expect(await store.load(saved!)).toEqual({ b: 2 });
      });
    });
  });
}

/** Keys no store may look up: too short or long, or with characters of paths and SQL. */
const HOSTILE_KEYS = [
  '',
  'abc',
  'a'.repeat(5000),
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  "abcdefgh'; DROP TABLE session; --",
  'abcdefgh\u0000ijkl',
  'abcdefgh/ijklmnop',
  'ABCDEFGH\\ijklmnop',
  'abcdefgh ijklmnop',
];

/**
 * A `SessionWrite` of `data`, for tests of a store: by default every key of
 * it set, for an hour.
 */
export function sessionWrite(
  data: SessionData,
  {
    set = data,
    removed = [],
    replaced = false,
    increments = {},
    expiry = AN_HOUR,
  }: {
    set?: SessionData;
    removed?: string[];
    replaced?: boolean;
    increments?: Record<string, number>;
    expiry?: SessionExpiry;
  } = {},
): SessionWrite {
  return { data, changes: { set, removed, replaced, increments }, expiry };
}

/** A well-formed key that no store gave out. */
function randomKey(): string {
  return randomBytes(16).toString('hex');
}

function past(): Date {
  return new Date(Date.now() - 60_000);
}

/** `newSessionKey()`, the protected hook the suite replaces to force collisions. */
type KeyHook = { newSessionKey?: () => string };

/** Has `create()` try `keys` first, in order, then keys of its own again. */
function nextKeys(store: SessionStore, keys: string[]): void {
  const hook = store as unknown as KeyHook;
  const queue = [...keys];
  const own = Object.getPrototypeOf(store) as Required<KeyHook>;
  hook.newSessionKey = () => {
    const key = queue.shift();
    if (queue.length === 0) {
      restoreKeys(store);
    }
    return key ?? own.newSessionKey.call(store);
  };
}

/** Has `create()` try `key` and nothing else, until `restoreKeys()`. */
function alwaysKey(store: SessionStore, key: string): void {
  (store as unknown as KeyHook).newSessionKey = () => key;
}

function restoreKeys(store: SessionStore): void {
  delete (store as unknown as KeyHook).newSessionKey;
}
