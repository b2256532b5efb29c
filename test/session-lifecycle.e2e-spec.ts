import {
  Session,
  SessionInterruptedError,
  SessionService,
  SessionStoreError,
} from 'nest-sessions';
import type { TestingModule } from '@nestjs/testing';
import { RecordingLogger } from './support/recording-logger.js';
import { sessionsTestingModule } from './support/sessions-testing-module.js';
import { TestDatabase } from './support/test-database.js';

/**
 * The session lifecycle on the 'db' store and a real PostgreSQL, as Django's
 * SessionTestsMixin checks it for its database backend.
 */
describe('Session lifecycle on the db store', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let sessions: SessionService;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    database = await TestDatabase.create();
    moduleRef = await sessionsTestingModule(database, {}, logger);
    sessions = moduleRef.get(SessionService);
  });

  afterAll(async () => {
    await moduleRef.close();
    await database.drop();
  });

  async function savedSession(data: Record<string, unknown>): Promise<Session> {
    const session = sessions.create();
    session.update(data);
    await session.save();
    return session;
  }

  it('starts new sessions unmodified, unaccessed and without a key', () => {
    const session = sessions.create();
    expect(session.modified).toBe(false);
    expect(session.accessed).toBe(false);
    expect(session.sessionKey).toBeNull();
    expect(session.isEmpty()).toBe(true);
  });

  it('creates the row on the first save, under a fresh 32-character key', async () => {
    const session = await savedSession({ cat: 'dog' });
    expect(session.sessionKey).toMatch(/^[a-z0-9]{32}$/);
    expect(await sessions.exists(session.sessionKey!)).toBe(true);
    expect(await database.sessionData(session.sessionKey!)).toEqual({
      cat: 'dog',
    });
    expect(session.modified).toBe(true);
  });

  it('loads what was saved', async () => {
    const saved = await savedSession({
      a: 1,
      nested: { list: [1, 'two', null] },
    });
    const loaded = await sessions.load(saved.sessionKey!);
    expect(loaded?.entries()).toEqual([
      ['a', 1],
      ['nested', { list: [1, 'two', null] }],
    ]);
    expect(loaded?.modified).toBe(false);
  });

  it('deletes a session', async () => {
    const session = await savedSession({ x: 1 });
    await sessions.delete(session.sessionKey!);
    expect(await sessions.exists(session.sessionKey!)).toBe(false);
    expect(await sessions.load(session.sessionKey!)).toBeNull();
  });

  it('flush() deletes the row, drops the key and empties the session', async () => {
    const session = await savedSession({ foo: 'bar' });
    const previousKey = session.sessionKey!;
    await session.flush();
    expect(await sessions.exists(previousKey)).toBe(false);
    expect(session.sessionKey).toBeNull();
    expect(session.keys()).toEqual([]);
    expect(session.modified).toBe(true);
    expect(session.accessed).toBe(true);

    session.set('after', 'logout');
    await session.save();
    expect(session.sessionKey).not.toBe(previousKey);
    expect(await database.sessionData(session.sessionKey!)).toEqual({
      after: 'logout',
    });
  });

  it('cycleKey() keeps the data under a new key and deletes the old row', async () => {
    const session = await savedSession({ a: 'c', b: 'd' });
    const previousKey = session.sessionKey!;
    const previousData = session.entries();
    await session.cycleKey();
    expect(session.sessionKey).toMatch(/^[a-z0-9]{32}$/);
    expect(session.sessionKey).not.toBe(previousKey);
    expect(session.entries()).toEqual(previousData);
    expect(await sessions.exists(previousKey)).toBe(false);
    expect(await database.sessionData(session.sessionKey!)).toEqual({
      a: 'c',
      b: 'd',
    });
  });

  it('cycleKey() on a session never saved leaves the key to its first save', async () => {
    const session = sessions.create();
    session.set('user', 7);
    await session.cycleKey();
    expect(session.sessionKey).toBeNull();
    expect(session.modified).toBe(true);
    await session.save();
    expect(await database.sessionData(session.sessionKey!)).toEqual({
      user: 7,
    });
  });

  it('cycleKey() of a session deleted meanwhile does not bring it back', async () => {
    const saved = await savedSession({ user: 1 });
    const inUse = (await sessions.load(saved.sessionKey!))!;
    expect(await sessions.delete(saved.sessionKey!)).toBe(true);
    const before = await database.sessionCount();
    await expect(inUse.cycleKey()).rejects.toBeInstanceOf(
      SessionInterruptedError,
    );
    expect(await database.sessionCount()).toBe(before);
  });

  it.each([
    ['too short', '1'],
    ['SQL', "x' OR '1'='1"],
    ['a path', '../../../etc/passwd'],
    ['unknown', 'a'.repeat(32)],
  ])('does not load a %s key', async (_label, key) => {
    expect(await sessions.load(key)).toBeNull();
    expect(await sessions.exists(key)).toBe(false);
    expect(await sessions.delete(key)).toBe(false);
  });

  it('loads an expired row as no session', async () => {
    const session = await savedSession({ stale: true });
    await database.query(
      `UPDATE session SET expire_date = now() - interval '1 second' WHERE session_key = $1`,
      [session.sessionKey],
    );
    expect(await sessions.load(session.sessionKey!)).toBeNull();
    expect(await sessions.exists(session.sessionKey!)).toBe(false);
  });

  it('expires at once with an expiry in the past (Django #19200)', async () => {
    const session = sessions.create();
    session.set('foo', 'bar');
    session.setExpiry(-10);
    await session.save();
    expect(await sessions.load(session.sessionKey!)).toBeNull();
  });

  describe('expiry dates, by the database clock', () => {
    async function secondsLeft(key: string): Promise<number> {
      const [row] = await database.query<{ left: number }>(
        `SELECT extract(epoch FROM expire_date - now())::float AS left
         FROM session WHERE session_key = $1`,
        [key],
      );
      return row.left;
    }

    it('is two weeks from now by default', async () => {
      const session = await savedSession({ a: 1 });
      const left = await secondsLeft(session.sessionKey!);
      expect(left).toBeGreaterThan(1209600 - 5);
      expect(left).toBeLessThanOrEqual(1209600);
    });

    it('follows setExpiry(seconds)', async () => {
      const session = sessions.create();
      session.set('a', 1);
      session.setExpiry(3600);
      await session.save();
      const left = await secondsLeft(session.sessionKey!);
      expect(left).toBeGreaterThan(3600 - 5);
      expect(left).toBeLessThanOrEqual(3600);
    });

    it('keeps the default lifetime in the store for browser-close sessions', async () => {
      const session = sessions.create();
      session.set('a', 1);
      session.setExpiry(0);
      await session.save();
      expect(await secondsLeft(session.sessionKey!)).toBeGreaterThan(
        1209600 - 5,
      );
    });

    it('stores a Date expiry as that exact moment', async () => {
      const at = new Date(Date.now() + 86_400_000);
      const session = sessions.create();
      session.set('a', 1);
      session.setExpiry(at);
      await session.save();
      const [row] = await database.query<{ expire_date: Date }>(
        'SELECT expire_date FROM session WHERE session_key = $1',
        [session.sessionKey],
      );
      expect(row.expire_date.toISOString()).toBe(at.toISOString());
    });

    it('slides the expiry forward on each save', async () => {
      const session = await savedSession({ a: 1 });
      await database.query(
        `UPDATE session SET expire_date = now() + interval '1 minute' WHERE session_key = $1`,
        [session.sessionKey],
      );
      const loaded = (await sessions.load(session.sessionKey!))!;
      loaded.set('b', 2);
      await loaded.save();
      expect(await secondsLeft(session.sessionKey!)).toBeGreaterThan(
        1209600 - 5,
      );
    });
  });

  describe('saves only what changed', () => {
    it('keeps both changes when two loads of one session set different keys', async () => {
      const saved = await savedSession({ base: 0 });
      const first = (await sessions.load(saved.sessionKey!))!;
      const second = (await sessions.load(saved.sessionKey!))!;
      first.set('a', 1);
      second.set('b', 2);
      await first.save();
      await second.save();
      expect(await database.sessionData(saved.sessionKey!)).toEqual({
        base: 0,
        a: 1,
        b: 2,
      });
    });

    it('keeps the last write of the same key', async () => {
      const saved = await savedSession({ color: 'red' });
      const first = (await sessions.load(saved.sessionKey!))!;
      const second = (await sessions.load(saved.sessionKey!))!;
      first.set('color', 'green');
      second.set('color', 'blue');
      await first.save();
      await second.save();
      expect(await database.sessionData(saved.sessionKey!)).toEqual({
        color: 'blue',
      });
    });

    it('removes a deleted key without touching a key set concurrently', async () => {
      const saved = await savedSession({ gone: 1, kept: 2 });
      const first = (await sessions.load(saved.sessionKey!))!;
      const second = (await sessions.load(saved.sessionKey!))!;
      first.delete('gone');
      second.set('added', 3);
      await second.save();
      await first.save();
      expect(await database.sessionData(saved.sessionKey!)).toEqual({
        kept: 2,
        added: 3,
      });
    });

    it('replaces the whole object after clear()', async () => {
      const saved = await savedSession({ old: 1 });
      const first = (await sessions.load(saved.sessionKey!))!;
      const second = (await sessions.load(saved.sessionKey!))!;
      second.set('concurrent', 2);
      await second.save();
      first.clear();
      first.set('only', 3);
      await first.save();
      expect(await database.sessionData(saved.sessionKey!)).toEqual({
        only: 3,
      });
    });

    it('writes every key after modified is set by hand (values changed in place)', async () => {
      const saved = await savedSession({ cart: ['apple'] });
      const loaded = (await sessions.load(saved.sessionKey!))!;
      loaded.get<string[]>('cart')!.push('pear');
      loaded.modified = true;
      await loaded.save();
      expect(await database.sessionData(saved.sessionKey!)).toEqual({
        cart: ['apple', 'pear'],
      });
    });

    it('writes values changed in place after an earlier save of the same request', async () => {
      const session = await savedSession({ cart: ['apple'] });
      session.get<string[]>('cart')!.push('pear');
      session.modified = true;
      await session.save();
      expect(await database.sessionData(session.sessionKey!)).toEqual({
        cart: ['apple', 'pear'],
      });
    });

    it('does not write again when nothing changed since the last save', async () => {
      const session = await savedSession({ a: 1 });
      await database.query(
        `UPDATE session SET session_data = '{"changed": "elsewhere"}' WHERE session_key = $1`,
        [session.sessionKey],
      );
      await session.save();
      expect(await database.sessionData(session.sessionKey!)).toEqual({
        changed: 'elsewhere',
      });
    });
  });

  describe('a session left empty', () => {
    it('is deleted by its save, and loses its key', async () => {
      const saved = await savedSession({ only: 1 });
      const loaded = (await sessions.load(saved.sessionKey!))!;
      loaded.delete('only');
      await loaded.save();
      expect(loaded.sessionKey).toBeNull();
      expect(await database.sessionData(saved.sessionKey!)).toBeUndefined();
    });

    it('is kept, with the data a concurrent request stored in it', async () => {
      const saved = await savedSession({ only: 1 });
      const emptying = (await sessions.load(saved.sessionKey!))!;
      const adding = (await sessions.load(saved.sessionKey!))!;
      emptying.delete('only');
      adding.set('added', 2);
      await adding.save();
      await emptying.save();
      expect(emptying.sessionKey).toBe(saved.sessionKey);
      expect(await database.sessionData(saved.sessionKey!)).toEqual({
        added: 2,
      });
    });

    it('needs nothing more when it was deleted meanwhile', async () => {
      const saved = await savedSession({ only: 1 });
      const emptying = (await sessions.load(saved.sessionKey!))!;
      await sessions.delete(saved.sessionKey!);
      emptying.clear();
      await expect(emptying.save()).resolves.toBeUndefined();
      expect(emptying.sessionKey).toBeNull();
    });
  });

  describe('a session deleted while in use', () => {
    it('is not re-created by a save: SessionInterruptedError', async () => {
      const saved = await savedSession({ user: 1 });
      const inUse = (await sessions.load(saved.sessionKey!))!;
      await sessions.delete(saved.sessionKey!);
      inUse.set('late', true);
      await expect(inUse.save()).rejects.toBeInstanceOf(
        SessionInterruptedError,
      );
      expect(await database.sessionData(saved.sessionKey!)).toBeUndefined();
    });

    it('is not revived once expired: SessionInterruptedError', async () => {
      const saved = await savedSession({ user: 1 });
      const inUse = (await sessions.load(saved.sessionKey!))!;
      await database.query(
        `UPDATE session SET expire_date = now() - interval '1 second' WHERE session_key = $1`,
        [saved.sessionKey],
      );
      inUse.set('late', true);
      await expect(inUse.save()).rejects.toBeInstanceOf(
        SessionInterruptedError,
      );
      expect(await database.sessionData(saved.sessionKey!)).toEqual({
        user: 1,
      });
    });
  });

  describe('corrupt stored data', () => {
    it.each([
      ['a string', '"garbage"'],
      ['an array', '[1, 2]'],
      ['a number', '42'],
      ['null', 'null'],
    ])('loads %s as an empty session with a warning', async (_label, json) => {
      const key = 'corrupt' + 'x'.repeat(25);
      await database.query(
        `INSERT INTO session VALUES ($1, $2::jsonb, now() + interval '1 hour')
         ON CONFLICT (session_key) DO UPDATE SET session_data = EXCLUDED.session_data`,
        [key, json],
      );
      logger.lines.length = 0;
      const session = (await sessions.load(key))!;
      expect(session.keys()).toEqual([]);
      expect(logger.lines).toEqual([
        expect.objectContaining({
          level: 'warn',
          message: expect.stringContaining('Session data corrupted'),
          context: 'Sessions',
        }),
      ]);

      session.set('fresh', 1);
      await session.save();
      expect(await database.sessionData(key)).toEqual({ fresh: 1 });
    });
  });

  describe('when the database goes away', () => {
    afterEach(async () => {
      await database.setAvailable(true);
    });

    it('fails with a SessionStoreError that holds neither key nor data', async () => {
      const saved = await savedSession({ secret: 'hunter2' });
      await database.setAvailable(false);
      const loading = sessions.load(saved.sessionKey!);
      await expect(loading).rejects.toBeInstanceOf(SessionStoreError);
      const error = (await loading.catch((caught: unknown) => caught)) as Error;
      expect(error.message).toMatch(/could not load the session/);
      const everything = `${error.message} ${error.stack} ${String((error.cause as Error).message)}`;
      expect(everything).not.toContain(saved.sessionKey);
      expect(everything).not.toContain('hunter2');
    });
  });
});
