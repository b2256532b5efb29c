import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import {
  createTestApp,
  HTTP_ADAPTERS,
  sessionKeyFrom,
  setCookies,
} from './support/test-app.js';
import { TestDatabase } from './support/test-database.js';

/** When a request saves its session, and which session it is. */
describe.each(HTTP_ADAPTERS)(
  'Saving the session at the end of a request, on %s',
  (adapter) => {
    let database: TestDatabase;
    let app: INestApplication;
    let everyRequestApp: INestApplication;

    beforeAll(async () => {
      database = await TestDatabase.create();
      app = await createTestApp(database, { adapter });
      everyRequestApp = await createTestApp(database, {
        adapter,
        sessions: { saveEveryRequest: true },
      });
    });

    afterAll(async () => {
      await app.close();
      await everyRequestApp.close();
      await database.drop();
    });

    async function newSession(query = 'name=manish'): Promise<string> {
      const response = await request(app.getHttpServer())
        .get(`/set?${query}`)
        .expect(200);
      return sessionKeyFrom(response.headers)!;
    }

    it('saves a change to an existing session and keeps its key', async () => {
      const key = await newSession();
      const response = await request(app.getHttpServer())
        .get('/set?color=blue')
        .set('Cookie', `sessionid=${key}`)
        .expect(200, { name: 'manish', color: 'blue' });
      expect(sessionKeyFrom(response.headers)).toBe(key);
      expect(await database.sessionData(key)).toEqual({
        name: 'manish',
        color: 'blue',
      });
    });

    it('saves through SessionService.current() as through @CurrentSession()', async () => {
      const key = await newSession();
      await request(app.getHttpServer())
        .get('/service?key=via')
        .set('Cookie', `sessionid=${key}`)
        .expect(200, { name: 'manish', via: 'from the service' });
      expect(await database.sessionData(key)).toEqual({
        name: 'manish',
        via: 'from the service',
      });
    });

    describe('on errors', () => {
      it('does not save on a 500, neither a new session nor a change', async () => {
        const before = await database.sessionCount();
        const fresh = await request(app.getHttpServer())
          .get('/crash')
          .expect(500);
        expect(setCookies(fresh.headers)).toEqual([]);
        expect(await database.sessionCount()).toBe(before);

        const key = await newSession();
        await request(app.getHttpServer())
          .get('/crash')
          .set('Cookie', `sessionid=${key}`)
          .expect(500);
        expect(await database.sessionData(key)).toEqual({ name: 'manish' });
      });

      it('gives the new key on a 500 after cycleKey(), so the session is neither lost nor left behind', async () => {
        const key = await newSession();
        const before = await database.sessionCount();
        const response = await request(app.getHttpServer())
          .get('/cycle-crash')
          .set('Cookie', `sessionid=${key}`)
          .expect(500);
        const newKey = sessionKeyFrom(response.headers);
        expect(newKey).toBeDefined();
        expect(newKey).not.toBe(key);
        expect(await database.sessionData(key)).toBeUndefined();
        // The data as cycleKey() stored it; the change after it is not saved.
        expect(await database.sessionData(newKey!)).toEqual({ name: 'manish' });
        expect(await database.sessionCount()).toBe(before);
      });

      it.each(['/declared-500', '/passthrough-503'])(
        'does not save when the handler answers 5xx itself (%s)',
        async (path) => {
          const key = await newSession();
          const response = await request(app.getHttpServer())
            .get(path)
            .set('Cookie', `sessionid=${key}`);
          expect(response.status).toBeGreaterThanOrEqual(500);
          expect(setCookies(response.headers)).toEqual([]);
          expect(await database.sessionData(key)).toEqual({ name: 'manish' });
        },
      );

      it('saves on a 4xx, as Django does', async () => {
        const key = await newSession();
        await request(app.getHttpServer())
          .get('/reject')
          .set('Cookie', `sessionid=${key}`)
          .expect(400);
        expect(await database.sessionData(key)).toEqual({
          name: 'manish',
          kept: true,
        });
      });
    });

    describe('whoever sends the response', () => {
      it('saves before a guard refuses the request (a 403)', async () => {
        const key = await newSession();
        await request(app.getHttpServer())
          .get('/refused')
          .set('Cookie', `sessionid=${key}`)
          .expect(403);
        expect(await database.sessionData(key)).toEqual({
          name: 'manish',
          refused: true,
        });
      });

      it('saves and sets the cookie for a handler that writes the response itself (@Res())', async () => {
        const response = await request(app.getHttpServer())
          .get('/raw')
          .expect(200, 'written by hand');
        expect(response.headers['content-type']).toBe('text/plain');
        const key = sessionKeyFrom(response.headers)!;
        expect(await database.sessionData(key)).toEqual({ raw: true });
      });

      it('saves before a streamed body, and the whole body arrives', async () => {
        const response = await request(app.getHttpServer())
          .get('/stream?chunks=500')
          .expect(200);
        const expected = Array.from(
          { length: 500 },
          (_, index) => `chunk ${index};`,
        ).join('');
        expect(response.text).toBe(expected);
        const key = sessionKeyFrom(response.headers)!;
        expect(await database.sessionData(key)).toEqual({ streamed: true });
      });
    });

    describe('a cookie the store does not know is never adopted', () => {
      it.each([
        ['unknown', 'a'.repeat(32)],
        ['too short', 'abc'],
        ['too long', 'a'.repeat(41)],
        ['SQL-looking', "x'%20OR%20'1'='1"],
        ['upper case', 'ABCDEFGHIJKLMNOP'],
      ])(
        '%s: a fresh key is issued when something is stored',
        async (_label, sent) => {
          const response = await request(app.getHttpServer())
            .get('/set?name=fixated')
            .set('Cookie', `sessionid=${sent}`)
            .expect(200, { name: 'fixated' });
          const key = sessionKeyFrom(response.headers)!;
          expect(key).toMatch(/^[a-z0-9]{32}$/);
          expect(key).not.toBe(sent);
          expect(await database.sessionData(key)).toEqual({ name: 'fixated' });
          const [adopted] = await database.query(
            'SELECT 1 FROM session WHERE session_key = $1',
            [sent],
          );
          expect(adopted).toBeUndefined();
        },
      );

      it('an expired session is not revived: a fresh key is issued', async () => {
        const key = await newSession();
        await database.query(
          `UPDATE session SET expire_date = now() - interval '1 second' WHERE session_key = $1`,
          [key],
        );
        const response = await request(app.getHttpServer())
          .get('/set?color=red')
          .set('Cookie', `sessionid=${key}`)
          .expect(200, { color: 'red' });
        expect(sessionKeyFrom(response.headers)).not.toBe(key);
      });

      it('a junk cookie is expired when the session is read', async () => {
        const response = await request(app.getHttpServer())
          .get('/read')
          .set('Cookie', `sessionid=${'z'.repeat(32)}`)
          .expect(200, {});
        expect(setCookies(response.headers)).toEqual([
          'sessionid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax',
        ]);
      });

      it('another visitor’s data is never served for a cookie of other cookies', async () => {
        const key = await newSession('secret=mine');
        const response = await request(app.getHttpServer())
          .get('/read')
          .set('Cookie', `other=${key}; sessionid=; xsessionid=${key}`)
          .expect(200);
        expect(response.body).toEqual({});
      });
    });

    describe('saveEveryRequest', () => {
      it('refreshes the cookie and the expiry of a session that was only read', async () => {
        const key = await newSession();
        await database.query(
          `UPDATE session SET expire_date = now() + interval '1 minute' WHERE session_key = $1`,
          [key],
        );
        const response = await request(everyRequestApp.getHttpServer())
          .get('/read')
          .set('Cookie', `sessionid=${key}`)
          .expect(200, { name: 'manish' });
        expect(sessionKeyFrom(response.headers)).toBe(key);
        const [row] = await database.query<{ left: number }>(
          `SELECT extract(epoch FROM expire_date - now())::float AS left
         FROM session WHERE session_key = $1`,
          [key],
        );
        expect(row.left).toBeGreaterThan(1209600 - 5);
      });

      it('still costs nothing on a handler that never touches the session', async () => {
        const key = await newSession();
        const response = await request(everyRequestApp.getHttpServer())
          .get('/none')
          .set('Cookie', `sessionid=${key}`)
          .expect(200);
        expect(setCookies(response.headers)).toEqual([]);
      });
    });
  },
);
