import type { SessionsModuleOptions } from 'nest-sessions';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  createTestApp,
  HTTP_ADAPTERS,
  sessionKeyFrom,
  setCookies,
} from './support/test-app.js';
import { TestDatabase } from './support/test-database.js';

const KEY = '[a-z0-9]{32}';
const HTTP_DATE =
  '[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT';

/** The `Set-Cookie` header and `Vary`, as Django's SessionMiddleware writes them. */
describe.each(HTTP_ADAPTERS)('Session cookie, on %s', (adapter) => {
  let database: TestDatabase;
  const apps: INestApplication[] = [];

  async function app(
    sessions: SessionsModuleOptions = {},
  ): Promise<INestApplication> {
    const created = await createTestApp(database, { adapter, sessions });
    apps.push(created);
    return created;
  }

  function expiresIn(cookie: string): number {
    const expires = /Expires=([^;]+)/.exec(cookie)![1];
    return (Date.parse(expires) - Date.now()) / 1000;
  }

  beforeAll(async () => {
    database = await TestDatabase.create();
  });

  afterAll(async () => {
    await Promise.all(apps.map((created) => created.close()));
    await database.drop();
  });

  it('has the default attributes: two weeks, Path=/, HttpOnly, SameSite=Lax', async () => {
    const response = await request((await app()).getHttpServer())
      .get('/set?name=manish')
      .expect(200);
    const [cookie] = setCookies(response.headers);
    expect(cookie).toMatch(
      new RegExp(
        `^sessionid=${KEY}; Path=/; Max-Age=1209600; Expires=${HTTP_DATE}; HttpOnly; SameSite=Lax$`,
      ),
    );
    expect(expiresIn(cookie)).toBeGreaterThan(1209600 - 5);
    expect(expiresIn(cookie)).toBeLessThan(1209600 + 5);
    expect(setCookies(response.headers)).toHaveLength(1);
  });

  it('has the attributes of the options', async () => {
    const custom = await app({
      cookie: {
        name: 'sid',
        maxAge: 3600,
        domain: 'example.com',
        path: '/app',
        secure: true,
        httpOnly: false,
        sameSite: 'strict',
      },
    });
    const response = await request(custom.getHttpServer())
      .get('/set?name=manish')
      .expect(200);
    const [cookie] = setCookies(response.headers);
    expect(cookie).toMatch(
      new RegExp(
        `^sid=${KEY}; Path=/app; Domain=example.com; Max-Age=3600; Expires=${HTTP_DATE}; Secure; SameSite=Strict$`,
      ),
    );
    expect(expiresIn(cookie)).toBeGreaterThan(3600 - 5);
    expect(expiresIn(cookie)).toBeLessThan(3600 + 5);
  });

  it('leaves SameSite out with sameSite: false', async () => {
    const response = await request(
      (await app({ cookie: { sameSite: false } })).getHttpServer(),
    )
      .get('/set?name=manish')
      .expect(200);
    expect(setCookies(response.headers)[0]).toMatch(/; HttpOnly$/);
  });

  it('has neither Max-Age nor Expires with expireAtBrowserClose', async () => {
    const response = await request(
      (await app({ expireAtBrowserClose: true })).getHttpServer(),
    )
      .get('/set?name=manish')
      .expect(200);
    expect(setCookies(response.headers)[0]).toMatch(
      new RegExp(`^sessionid=${KEY}; Path=/; HttpOnly; SameSite=Lax$`),
    );
  });

  it('follows the session: setExpiry(0) ends it with the browser, setExpiry(60) in a minute', async () => {
    const server = (await app()).getHttpServer();
    const atClose = await request(server).get('/expiry?seconds=0').expect(200);
    expect(setCookies(atClose.headers)[0]).toMatch(
      new RegExp(`^sessionid=${KEY}; Path=/; HttpOnly; SameSite=Lax$`),
    );
    const inAMinute = await request(server)
      .get('/expiry?seconds=60')
      .expect(200);
    expect(setCookies(inAMinute.headers)[0]).toMatch(/; Max-Age=60; /);
  });

  it('is not set when nothing was stored, and no row is made', async () => {
    const server = (await app()).getHttpServer();
    const before = await database.sessionCount();
    for (const path of ['/none', '/read', '/remove?key=missing']) {
      const response = await request(server).get(path).expect(200);
      expect(setCookies(response.headers)).toEqual([]);
    }
    expect(await database.sessionCount()).toBe(before);
  });

  it('is not sent again when the session was only read', async () => {
    const server = (await app()).getHttpServer();
    const created = await request(server).get('/set?name=manish').expect(200);
    const key = sessionKeyFrom(created.headers);
    const read = await request(server)
      .get('/read')
      .set('Cookie', `sessionid=${key}`)
      .expect(200, { name: 'manish' });
    expect(setCookies(read.headers)).toEqual([]);
  });

  it('expires when the session was emptied, and the row is deleted', async () => {
    const server = (await app()).getHttpServer();
    const created = await request(server).get('/set?name=manish').expect(200);
    const key = sessionKeyFrom(created.headers)!;
    const emptied = await request(server)
      .get('/remove?key=name')
      .set('Cookie', `sessionid=${key}`)
      .expect(200, { removed: true });
    expect(setCookies(emptied.headers)).toEqual([
      'sessionid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax',
    ]);
    expect(emptied.headers['vary']).toBe('Cookie');
    expect(await database.sessionData(key)).toBeUndefined();
  });

  it('expires on flush() and on clear()', async () => {
    const server = (await app()).getHttpServer();
    for (const path of ['/flush', '/clear']) {
      const created = await request(server).get('/set?name=manish').expect(200);
      const key = sessionKeyFrom(created.headers)!;
      const response = await request(server)
        .get(path)
        .set('Cookie', `sessionid=${key}`)
        .expect(200);
      expect(setCookies(response.headers)).toEqual([
        'sessionid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax',
      ]);
      expect(await database.sessionData(key)).toBeUndefined();
    }
  });

  describe('Vary: Cookie', () => {
    it('is added when the session was accessed', async () => {
      const server = (await app()).getHttpServer();
      const response = await request(server).get('/read').expect(200);
      expect(response.headers['vary']).toBe('Cookie');
    });

    it('joins a Vary header the handler set', async () => {
      const server = (await app()).getHttpServer();
      const response = await request(server).get('/vary').expect(200);
      expect(response.headers['vary']).toBe('Accept-Encoding, Cookie');
    });

    it('joins a Vary header given to writeHead() by a handler that answers itself', async () => {
      const server = (await app()).getHttpServer();
      const response = await request(server)
        .get('/raw?vary=Accept')
        .expect(200);
      expect(response.headers['vary']).toBe('Accept, Cookie');
    });

    it('is added when a guard read the session and refused the request', async () => {
      const server = (await app()).getHttpServer();
      const refused = await request(server).get('/members').expect(403);
      expect(refused.headers['vary']).toBe('Cookie');
      const created = await request(server).get('/set?user=ada').expect(200);
      const admitted = await request(server)
        .get('/members')
        .set('Cookie', `sessionid=${sessionKeyFrom(created.headers)}`)
        .expect(200, { welcome: true });
      expect(admitted.headers['vary']).toBe('Cookie');
    });

    it('is not added when the handler never touched the session', async () => {
      const server = (await app()).getHttpServer();
      const created = await request(server).get('/set?name=manish').expect(200);
      const response = await request(server)
        .get('/none')
        .set('Cookie', `sessionid=${sessionKeyFrom(created.headers)}`)
        .expect(200);
      expect(response.headers['vary']).toBeUndefined();
      expect(setCookies(response.headers)).toEqual([]);
    });
  });
});
