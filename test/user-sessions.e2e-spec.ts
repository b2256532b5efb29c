import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestingModule } from '@nestjs/testing';
import {
  type Session,
  SessionInterruptedError,
  SessionService,
  SessionStore,
  type SessionsModuleOptions,
  UserSessionsUnsupportedError,
} from 'nest-sessions';
import { RedisTestServer } from './support/redis-server.js';
import { sessionsTestingModule } from './support/sessions-testing-module.js';
import { TestDatabase } from './support/test-database.js';

/** A user's sessions, listed and revoked, on the stores that find them by user. */
describe.each(['db', 'cached_db'] as const)(
  "A user's sessions on the '%s' store",
  (store) => {
    let database: TestDatabase;
    let redis: RedisTestServer | undefined;
    let moduleRef: TestingModule;
    let sessions: SessionService;

    beforeAll(async () => {
      database = await TestDatabase.create();
      const options: SessionsModuleOptions = {
        store,
        cleanup: { enabled: false },
      };
      if (store === 'cached_db') {
        redis = await RedisTestServer.start();
        options.cache = { url: redis.url };
      }
      moduleRef = await sessionsTestingModule(database, options);
      sessions = moduleRef.get(SessionService);
    });

    afterAll(async () => {
      await moduleRef.close();
      await Promise.all([database.drop(), redis?.close()]);
    });

    /** A session that was saved with `data`, as a visitor's first request leaves it. */
    async function visitor(
      data: Record<string, unknown> = {},
    ): Promise<Session> {
      const session = sessions.create();
      session.update({ visited: true, ...data });
      await session.save();
      return session;
    }

    async function loggedIn(
      userId: string,
      device = 'a browser',
    ): Promise<Session> {
      const session = await visitor();
      await sessions.login(session, userId, {
        ip: '203.0.113.9',
        userAgent: device,
      });
      return session;
    }

    async function row(key: string) {
      const [found] = await database.query<{ auth_user_id: string | null }>(
        'SELECT auth_user_id FROM session WHERE session_key = $1',
        [key],
      );
      return found;
    }

    it('logs in with a new key, keeping the data, and keeps the user in the indexed column', async () => {
      const session = await visitor({ cart: [3] });
      const before = session.sessionKey!;

      await sessions.login(session, 'alice');

      expect(session.sessionKey).not.toBe(before);
      expect(await sessions.load(before)).toBeNull();
      expect(await row(session.sessionKey!)).toEqual({ auth_user_id: 'alice' });
      expect(await sessions.userId(session)).toBe('alice');
      const stored = (await sessions.load(session.sessionKey!))!;
      expect(stored.toJSON()).toMatchObject({
        visited: true,
        cart: [3],
        _auth_user_id: 'alice',
      });
    });

    it('keeps where the login came from in columns of its own, when the app gives it', async () => {
      const session = await visitor();
      await sessions.login(session, 'kim', {
        ip: '2001:db8::1',
        userAgent: 'A'.repeat(600),
      });
      const anonymous = await visitor();

      const columns = (key: string) =>
        database.query<{
          ip_address: string | null;
          user_agent: string | null;
        }>(
          'SELECT ip_address, user_agent FROM session WHERE session_key = $1',
          [key],
        );
      expect(await columns(session.sessionKey!)).toEqual([
        { ip_address: '2001:db8::1', user_agent: 'A'.repeat(512) },
      ]);
      expect(await columns(anonymous.sessionKey!)).toEqual([
        { ip_address: null, user_agent: null },
      ]);
    });

    it('empties a session that holds another user before logging the new one in', async () => {
      const session = await loggedIn('alice');
      session.set('alices-draft', 'secret');
      await session.save();

      await sessions.login(session, 'bob');
      await session.save(); // emptied, it has no key until saved

      expect(session.toJSON()).toEqual({ _auth_user_id: 'bob' });
      expect(await row(session.sessionKey!)).toEqual({ auth_user_id: 'bob' });
    });

    it("keeps the column in step with the data's user id, set, removed or cleared", async () => {
      const session = await visitor();
      const key = session.sessionKey!;
      session.set('_auth_user_id', 'carol');
      await session.save();
      expect(await row(key)).toEqual({ auth_user_id: 'carol' });

      session.set('theme', 'dark'); // a save that leaves the user alone
      await session.save();
      expect(await row(key)).toEqual({ auth_user_id: 'carol' });

      session.delete('_auth_user_id');
      await session.save();
      expect(await row(key)).toEqual({ auth_user_id: null });

      session.set('_auth_user_id', 'carol');
      await session.save();
      session.clear();
      session.set('other', 1);
      await session.save();
      expect(await row(key)).toEqual({ auth_user_id: null });
    });

    it("lists a user's live sessions, most recently seen first, by public id, never by key", async () => {
      const first = await loggedIn('dave', 'Firefox');
      const second = await loggedIn('dave', 'Safari');
      await loggedIn('erin');
      const expired = await loggedIn('dave', 'Old phone');
      await database.query(
        `UPDATE session SET expire_date = now() - interval '1 second' WHERE session_key = $1`,
        [expired.sessionKey],
      );
      first.set('seen', 'again'); // first is now the most recently seen
      await first.save();

      const listed = await sessions.listUserSessions('dave', second);

      expect(
        listed.map(({ userAgent, current }) => [userAgent, current]),
      ).toEqual([
        ['Firefox', false],
        ['Safari', true],
      ]);
      for (const item of listed) {
        expect(item.id).toMatch(/^[0-9a-f]{64}$/);
        expect(JSON.stringify(item)).not.toContain(first.sessionKey);
        expect(JSON.stringify(item)).not.toContain(second.sessionKey);
        expect(item.ip).toBe('203.0.113.9');
        expect(item.createdAt.getTime()).toBeLessThanOrEqual(
          item.lastSeen.getTime(),
        );
        expect(item.expiresAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
      }
      expect(await sessions.listUserSessions('nobody')).toEqual([]);
    });

    it('revokes one session by its public id, and only that one', async () => {
      const kept = await loggedIn('frank');
      const revoked = await loggedIn('frank');
      const listed = await sessions.listUserSessions('frank', kept);
      const target = listed.find(({ current }) => !current)!;
      expect(listed.filter(({ current }) => current)).toHaveLength(1);

      expect(await sessions.revokeUserSession('frank', target.id)).toBe(true);
      expect(await sessions.revokeUserSession('frank', target.id)).toBe(false);
      // Another user cannot revoke it by its id.
      expect(
        await sessions.revokeUserSession(
          'mallory',
          (await sessions.listUserSessions('frank'))[0].id,
        ),
      ).toBe(false);

      expect(await sessions.load(revoked.sessionKey!)).toBeNull();
      expect(await sessions.load(kept.sessionKey!)).not.toBeNull();
    });

    it('logs out of all other devices, and then of all', async () => {
      const devices = await Promise.all([1, 2, 3].map(() => loggedIn('grace')));
      const other = await loggedIn('heidi');
      // Loaded (and, on 'cached_db', cached) before the revocation.
      for (const device of devices) {
        expect(await sessions.load(device.sessionKey!)).not.toBeNull();
      }

      expect(await sessions.revokeOtherSessions(devices[0])).toBe(2);
      expect(await sessions.load(devices[0].sessionKey!)).not.toBeNull();
      expect(await sessions.load(devices[1].sessionKey!)).toBeNull();
      expect(await sessions.load(devices[2].sessionKey!)).toBeNull();

      expect(await sessions.revokeUserSessions('grace')).toBe(1);
      expect(await sessions.load(devices[0].sessionKey!)).toBeNull();
      expect(await sessions.load(other.sessionKey!)).not.toBeNull();
      expect(await sessions.revokeOtherSessions(await visitor())).toBe(0);
    });

    it('never brings back a revoked session that a request was using', async () => {
      const session = await loggedIn('ivan');
      const inFlight = (await sessions.load(session.sessionKey!))!;

      await sessions.revokeUserSessions('ivan');
      inFlight.set('cart', [1]);

      await expect(inFlight.save()).rejects.toBeInstanceOf(
        SessionInterruptedError,
      );
      // Expired, left for the cleanup (and its handlers) to delete.
      expect(
        await database.query(
          'SELECT 1 FROM session WHERE session_key = $1 AND expire_date > now()',
          [session.sessionKey],
        ),
      ).toEqual([]);
      expect(await sessions.listUserSessions('ivan')).toEqual([]);
    });

    it('logs out with a flush: the session and its row are gone', async () => {
      const session = await loggedIn('judy');
      const key = session.sessionKey!;

      await sessions.logout(session);

      expect(session.sessionKey).toBeNull();
      expect(await sessions.userId(session)).toBeNull();
      expect(await sessions.load(key)).toBeNull();
      expect(await sessions.listUserSessions('judy')).toEqual([]);
    });

    it('refuses a user id it cannot index', async () => {
      const session = await visitor();
      await expect(sessions.login(session, '')).rejects.toThrow(
        /login\(\) takes a user id of 1 to 255 characters/,
      );
      await expect(sessions.login(session, 'x'.repeat(256))).rejects.toThrow(
        /1 to 255/,
      );
      await sessions.login(session, 42);
      expect(await sessions.userId(session)).toBe('42');
    });
  },
);

describe('Stores that do not find sessions by user', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'user-sessions-'));
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it.each<[string, () => SessionsModuleOptions]>([
    ['cache', () => ({ store: 'cache' })],
    ['file', () => ({ store: 'file', fileStore: { path: folder } })],
    [
      'signed_cookies',
      () => ({
        store: 'signed_cookies',
        secret: 'a-secret-of-at-least-thirty-two-characters',
      }),
    ],
  ])('say so: %s', async (_name, options) => {
    const database = await TestDatabase.create();
    const moduleRef = await sessionsTestingModule(database, {
      ...options(),
      cleanup: { enabled: false },
    });
    try {
      const sessions = moduleRef.get(SessionService);
      expect(moduleRef.get(SessionStore).findsUserSessions).toBe(false);

      const listing = sessions.listUserSessions('alice');
      await expect(listing).rejects.toBeInstanceOf(
        UserSessionsUnsupportedError,
      );
      await expect(listing).rejects.toThrow(
        /cannot list or revoke a user's sessions: it keeps no index of sessions by user\. Use the 'db' or 'cached_db' store/,
      );
      await expect(sessions.revokeUserSessions('alice')).rejects.toBeInstanceOf(
        UserSessionsUnsupportedError,
      );
    } finally {
      await moduleRef.close();
      await database.drop();
    }
  });
});

describe("Logins checked against the user's credentials (auth.currentHash)", () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let sessions: SessionService;
  /** Each user's current auth hash, as the app would derive it; none for a deleted user. */
  const hashes = new Map<string, string>();
  const asked: string[] = [];

  beforeAll(async () => {
    database = await TestDatabase.create();
    moduleRef = await sessionsTestingModule(database, {
      cleanup: { enabled: false },
      auth: {
        currentHash: (userId) => {
          asked.push(userId);
          return hashes.get(userId) ?? null;
        },
      },
    });
    sessions = moduleRef.get(SessionService);
  });

  afterAll(async () => {
    await moduleRef.close();
    await database.drop();
  });

  async function loggedIn(userId: string): Promise<string> {
    const session = sessions.create();
    session.set('visited', true);
    await session.save();
    await sessions.login(session, userId, { authHash: hashes.get(userId) });
    return session.sessionKey!;
  }

  /** The user of the session under `key`, as a new request would see it. */
  async function userOf(key: string): Promise<string | null> {
    const session = await sessions.load(key);
    return session === null ? null : sessions.userId(session);
  }

  it("keeps a session whose hash is the user's, asking once per request", async () => {
    hashes.set('alice', 'hash-1');
    const key = await loggedIn('alice');
    const session = (await sessions.load(key))!;
    asked.length = 0;

    expect(await sessions.userId(session)).toBe('alice');
    expect(await sessions.userId(session)).toBe('alice');
    expect(asked).toEqual(['alice']);
  });

  it('logs out, flushing it, a session whose hash changed or whose user is gone', async () => {
    hashes.set('bob', 'hash-1');
    hashes.set('carol', 'hash-1');
    const bobs = await loggedIn('bob');
    const carols = await loggedIn('carol');

    hashes.set('bob', 'hash-2'); // a password change on another device
    hashes.delete('carol'); // a deleted account

    expect(await userOf(bobs)).toBeNull();
    expect(await userOf(carols)).toBeNull();
    expect(await sessions.load(bobs)).toBeNull();
    expect(await sessions.load(carols)).toBeNull();
  });

  it('keeps the session that changed the password, and logs the others out', async () => {
    hashes.set('dave', 'hash-1');
    const here = (await sessions.load(await loggedIn('dave')))!;
    const elsewhere = await loggedIn('dave');

    hashes.set('dave', 'hash-2');
    const before = here.sessionKey;
    await sessions.updateAuthHash(here, 'hash-2');

    expect(here.sessionKey).not.toBe(before);
    expect(await userOf(here.sessionKey!)).toBe('dave');
    expect(await userOf(elsewhere)).toBeNull();
  });

  it('logs out a session that was logged in without a hash', async () => {
    hashes.set('erin', 'hash-1');
    const session = sessions.create();
    session.set('visited', true);
    await session.save();
    await sessions.login(session, 'erin');

    expect(await userOf(session.sessionKey!)).toBeNull();
  });
});
