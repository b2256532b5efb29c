import { jest } from '@jest/globals';
import { type SessionWrite, TypeOrmSessionStore } from 'nest-sessions';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../src/database/typeorm-options.js';
import { TestDatabase } from './support/test-database.js';

const change = (
  set: Record<string, unknown>,
  removed: string[] = [],
  expiry = 3600,
): SessionWrite => ({
  data: set,
  changes: { set, removed, replaced: false, increments: {} },
  expiry,
});

/**
 * The 'db' store runs the loads, and the saves, asked for in one turn of the
 * event loop as one statement; each caller still gets its own answer.
 */
describe("The 'db' store's batches", () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: TypeOrmSessionStore;
  const statements = jest.spyOn(pg.Client.prototype, 'query');

  const key = (letter: string) => letter.repeat(32);

  async function storeRow(letter: string, data: object, live = true) {
    await database.query(
      `INSERT INTO session VALUES ($1, $2, now() + $3::interval)`,
      [key(letter), JSON.stringify(data), live ? '1 hour' : '-1 second'],
    );
  }

  /** The texts of the statements the store sent while `work` ran. */
  async function statementsOf(work: () => Promise<unknown>) {
    statements.mockClear();
    await work();
    return statements.mock.calls.map(
      ([query]) => (query as unknown as { text: string }).text.split(' ')[0],
    );
  }

  beforeAll(async () => {
    database = await TestDatabase.create();
    dataSource = await new DataSource(
      typeOrmOptions(database.url),
    ).initialize();
    store = new TypeOrmSessionStore(dataSource);
  });

  beforeEach(async () => {
    await database.query('DELETE FROM session');
  });

  afterAll(async () => {
    statements.mockRestore();
    await dataSource.destroy();
    await database.drop();
  });

  it('loads the sessions asked for in one turn with one SELECT', async () => {
    await storeRow('a', { who: 'a' });
    await storeRow('b', { who: 'b' });
    await storeRow('e', { who: 'expired' }, false);
    let loaded: unknown[] = [];
    const sent = await statementsOf(async () => {
      loaded = await Promise.all(
        ['a', 'b', 'e', 'u', 'a'].map((letter) => store.load(key(letter))),
      );
    });
    expect(sent).toEqual(['SELECT']);
    expect(loaded).toEqual([
      { who: 'a' },
      { who: 'b' },
      null,
      null,
      { who: 'a' },
    ]);
    // Two requests on one session do not share an object.
    expect(loaded[0]).not.toBe(loaded[4]);
  });

  it('saves the sessions changed in one turn with one UPDATE, only live ones', async () => {
    await storeRow('a', { visits: 1, theme: 'dark' });
    await storeRow('b', { visits: 7 });
    await storeRow('e', { visits: 1 }, false);
    let saved: unknown[] = [];
    const sent = await statementsOf(async () => {
      saved = await Promise.all([
        store.save(key('a'), change({ visits: 2 }, ['theme'])),
        store.save(key('b'), change({ visits: 8 }, [], 60)),
        store.save(key('e'), change({ visits: 2 })),
        store.save(key('u'), change({ visits: 1 })),
      ]);
    });
    expect(sent).toEqual(['UPDATE']);
    expect(saved).toEqual([key('a'), key('b'), null, null]);
    expect(await database.sessionData(key('a'))).toEqual({ visits: 2 });
    expect(await database.sessionData(key('b'))).toEqual({ visits: 8 });
    expect(await database.sessionData(key('e'))).toEqual({ visits: 1 });
    expect(await database.sessionData(key('u'))).toBeUndefined();
    const [{ seconds }] = await database.query<{ seconds: number }>(
      `SELECT extract(epoch FROM expire_date - now())::int AS seconds
         FROM session WHERE session_key = $1`,
      [key('b')],
    );
    expect(seconds).toBeGreaterThan(50);
    expect(seconds).toBeLessThanOrEqual(60);
  });

  it('keeps every change of concurrent saves to one session, later over earlier', async () => {
    await storeRow('a', { visits: 1, theme: 'dark', cart: [1] });
    let saved: unknown[] = [];
    const sent = await statementsOf(async () => {
      saved = await Promise.all([
        store.save(key('a'), change({ visits: 2, lang: 'fr' })),
        store.save(key('a'), change({ visits: 3 }, ['cart'])),
        store.save(key('a'), change({ theme: 'light' })),
      ]);
    });
    expect(sent).toEqual(['UPDATE']);
    expect(saved).toEqual([key('a'), key('a'), key('a')]);
    expect(await database.sessionData(key('a'))).toEqual({
      visits: 3,
      lang: 'fr',
      theme: 'light',
    });
  });

  it('applies a clear among concurrent saves in its place', async () => {
    await storeRow('a', { visits: 1, theme: 'dark' });
    await Promise.all([
      store.save(key('a'), change({ visits: 2 })),
      store.save(key('a'), {
        data: { fresh: true },
        changes: {
          set: { fresh: true },
          removed: [],
          replaced: true,
          increments: {},
        },
        expiry: 3600,
      }),
      store.save(key('a'), change({ lang: 'fr' })),
    ]);
    expect(await database.sessionData(key('a'))).toEqual({
      fresh: true,
      lang: 'fr',
    });
  });

  it('replaces stored data that is not an object with the keys the saves set', async () => {
    await storeRow('a', [1, 2]);
    await Promise.all([
      store.save(key('a'), change({ visits: 1 })),
      store.save(key('a'), change({ theme: 'dark' })),
    ]);
    expect(await database.sessionData(key('a'))).toEqual({
      visits: 1,
      theme: 'dark',
    });
  });

  it('fails only the save at fault, and saves the others in the order they came', async () => {
    await storeRow('a', { visits: 1 });
    await storeRow('b', { visits: 1 });
    const results = await Promise.allSettled([
      store.save(key('a'), change({ visits: 2 })),
      store.save(key('a'), change({ visits: 3 })),
      // Beyond what a PostgreSQL interval can hold.
      store.save(key('b'), change({ visits: 2 }, [], 1e300)),
    ]);
    expect(results.map(({ status }) => status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
    ]);
    expect(await database.sessionData(key('a'))).toEqual({ visits: 3 });
    expect(await database.sessionData(key('b'))).toEqual({ visits: 1 });
  });

  it('fails only the save at fault, and saves the others', async () => {
    await storeRow('a', { visits: 1 });
    await storeRow('b', { visits: 1 });
    const results = await Promise.allSettled([
      store.save(key('a'), change({ visits: 2 })),
      // Beyond what a PostgreSQL interval can hold.
      store.save(key('b'), change({ visits: 2 }, [], 1e300)),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: key('a') });
    expect(results[1]).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringContaining('out of range') },
    });
    expect(await database.sessionData(key('a'))).toEqual({ visits: 2 });
    expect(await database.sessionData(key('b'))).toEqual({ visits: 1 });
  });
});
