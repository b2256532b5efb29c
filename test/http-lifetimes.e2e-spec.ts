import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import {
  SessionsConfigurationError,
  type SessionsModuleOptions,
} from 'nest-sessions';
import pg from 'pg';
import request from 'supertest';
import { sessionsTestingModule } from './support/sessions-testing-module.js';
import {
  createTestApp,
  HTTP_ADAPTERS,
  sessionKeyFrom,
  setCookies,
} from './support/test-app.js';
import { TestDatabase } from './support/test-database.js';

const HOUR = 3600;

/** Reads that refresh the expiry at most once per period, and an absolute lifetime. */
describe.each(HTTP_ADAPTERS)('Session lifetimes, on %s', (adapter) => {
  let database: TestDatabase;
  const apps: INestApplication[] = [];
  let statements: jest.Spied<typeof pg.Client.prototype.query>;

  beforeAll(async () => {
    statements = jest.spyOn(pg.Client.prototype, 'query');
    database = await TestDatabase.create();
  });

  afterAll(async () => {
    statements.mockRestore();
    await Promise.all(apps.map((app) => app.close()));
    await database.drop();
  });

  async function app(
    sessions: SessionsModuleOptions,
  ): Promise<INestApplication> {
    const created = await createTestApp(database, {
      adapter,
      sessions: { cleanup: { enabled: false }, ...sessions },
    });
    apps.push(created);
    return created;
  }

  async function newSession(server: INestApplication): Promise<string> {
    const response = await request(server.getHttpServer())
      .get('/set?a=1')
      .expect(200);
    return sessionKeyFrom(response.headers)!;
  }

  /** The statements a read of the session sends, and the cookies it sets. */
  async function read(server: INestApplication, key: string) {
    statements.mockClear();
    const response = await request(server.getHttpServer())
      .get('/read')
      .set('Cookie', `sessionid=${key}`)
      .expect(200, { a: '1' });
    const sent = statements.mock.calls.map(([text]) =>
      typeof text === 'string' ? text : (text as { text: string }).text,
    );
    return { sent, cookies: setCookies(response.headers) };
  }

  /** Makes the session's expiry look as if it was set `seconds` ago. */
  async function age(key: string, seconds: number): Promise<void> {
    await database.query(
      `UPDATE session SET expire_date = now() + make_interval(secs => $2) WHERE session_key = $1`,
      [key, HOUR - seconds],
    );
  }

  async function secondsLeft(key: string): Promise<number> {
    const [{ left }] = await database.query<{ left: number }>(
      `SELECT extract(epoch FROM expire_date - now())::float8 AS left FROM session WHERE session_key = $1`,
      [key],
    );
    return left;
  }

  it('with touchAfter, writes nothing for reads within the period, and refreshes once after it', async () => {
    const server = await app({ touchAfter: 60, cookie: { maxAge: HOUR } });
    const key = await newSession(server);

    const fresh = await read(server, key);
    expect(fresh.sent).toEqual([expect.stringMatching(/^SELECT /)]);
    expect(fresh.cookies).toEqual([]);

    await age(key, 59);
    expect((await read(server, key)).sent).toHaveLength(1);

    await age(key, 61);
    const due = await read(server, key);
    expect(due.sent).toEqual([
      expect.stringMatching(/^SELECT /),
      expect.stringMatching(/^UPDATE "session" AS stored SET/),
    ]);
    expect(due.cookies).toEqual([
      expect.stringMatching(new RegExp(`^sessionid=${key}; .*Max-Age=${HOUR}`)),
    ]);
    expect(await secondsLeft(key)).toBeGreaterThan(HOUR - 10);

    expect((await read(server, key)).sent).toHaveLength(1);
    expect(await database.sessionData(key)).toEqual({ a: '1' });
  });

  it('without touchAfter, never writes for a read, as Django', async () => {
    const server = await app({ cookie: { maxAge: HOUR } });
    const key = await newSession(server);
    await age(key, HOUR - 5);

    expect((await read(server, key)).sent).toHaveLength(1);
    expect(await secondsLeft(key)).toBeLessThan(10);
  });

  it('with maxLifetime, caps every expiry at the creation plus it, and the session then ends', async () => {
    const server = await app({
      maxLifetime: HOUR,
      cookie: { maxAge: 2 * HOUR },
    });
    const key = await newSession(server);
    const created = async () =>
      (
        await database.query<{ capped: boolean }>(
          `SELECT expire_date = created_at + interval '1 hour' AS capped FROM session WHERE session_key = $1`,
          [key],
        )
      )[0].capped;
    expect(await created()).toBe(true);

    // Active all along: each request saves, and still the hour since the login is all it gets.
    await database.query(
      `UPDATE session SET created_at = now() - interval '3590 seconds' WHERE session_key = $1`,
      [key],
    );
    await request(server.getHttpServer())
      .get('/set?b=2')
      .set('Cookie', `sessionid=${key}`)
      .expect(200);
    expect(await created()).toBe(true);
    expect(await secondsLeft(key)).toBeLessThan(11);

    await database.query(
      `UPDATE session SET created_at = now() - interval '3601 seconds' WHERE session_key = $1`,
      [key],
    );
    // Its last write, past the hour, ends it: the next request finds none.
    await request(server.getHttpServer())
      .get('/set?c=3')
      .set('Cookie', `sessionid=${key}`)
      .expect(200);
    expect(await secondsLeft(key)).toBeLessThan(0);
    await request(server.getHttpServer())
      .get('/read')
      .set('Cookie', `sessionid=${key}`)
      .expect(200, {});
  });
});

describe('Lifetime options that a store cannot honour', () => {
  it('refuses maxLifetime on a store that does not cap sessions, at bootstrap', async () => {
    const database = await TestDatabase.create();
    try {
      await expect(
        sessionsTestingModule(database, { store: 'cache', maxLifetime: HOUR }),
      ).rejects.toThrow(
        new SessionsConfigurationError([
          "'maxLifetime' needs a store that caps sessions at it, and CacheSessionStore does not: use the 'db' or 'cached_db' store.",
        ]),
      );
    } finally {
      await database.drop();
    }
  });
});
