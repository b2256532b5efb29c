import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { RequestGate } from './support/session-probe.controller.js';
import {
  createTestApp,
  HTTP_ADAPTERS,
  sessionKeyFrom,
  setCookies,
} from './support/test-app.js';
import { TestDatabase } from './support/test-database.js';

/** Requests of one visitor at the same time, settled by PostgreSQL. */
describe.each(HTTP_ADAPTERS)(
  'Concurrent requests of one session, on %s',
  (adapter) => {
    let database: TestDatabase;
    let app: INestApplication;
    let gate: RequestGate;

    beforeAll(async () => {
      database = await TestDatabase.create();
      app = await createTestApp(database, { adapter });
      gate = app.get(RequestGate);
    });

    afterAll(async () => {
      await app.close();
      await database.drop();
    });

    async function newSession(): Promise<string> {
      const response = await request(app.getHttpServer())
        .get('/set?base=0')
        .expect(200);
      return sessionKeyFrom(response.headers)!;
    }

    it('keeps every change when 50 requests set 50 different keys at once', async () => {
      const key = await newSession();
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          request(app.getHttpServer())
            .get(`/set?key${i}=${i}`)
            .set('Cookie', `sessionid=${key}`),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(
        Array(50).fill(200),
      );
      const expected: Record<string, string> = { base: '0' };
      for (let i = 0; i < 50; i++) {
        expected[`key${i}`] = String(i);
      }
      expect(await database.sessionData(key)).toEqual(expected);
    });

    it('counts every increment of 50 clients incrementing one counter 2,000 times in all', async () => {
      const key = await newSession();
      const client = async (): Promise<number[]> => {
        const statuses: number[] = [];
        for (let i = 0; i < 40; i++) {
          const response = await request(app.getHttpServer())
            .get('/increment?key=visits')
            .set('Cookie', `sessionid=${key}`);
          statuses.push(response.status);
        }
        return statuses;
      };

      const statuses = (
        await Promise.all(Array.from({ length: 50 }, client))
      ).flat();

      expect(statuses).toEqual(Array(2000).fill(200));
      expect(await database.sessionData(key)).toEqual({
        base: '0',
        visits: 2000,
      });
    }, 60_000); // 2,000 requests: more than jest's default 5 s

    it('answers 400 to an increment of a value that is not a number, and keeps it', async () => {
      const key = await newSession();

      const response = await request(app.getHttpServer())
        .get('/increment?key=base')
        .set('Cookie', `sessionid=${key}`)
        .expect(400);

      expect(response.body).toMatchObject({
        message: expect.stringMatching(
          /increment\(\) adds to a number .* holds a string there/,
        ),
      });
      expect(await database.sessionData(key)).toEqual({ base: '0' });
    });

    it('does not resurrect a session logged out while a slower request used it', async () => {
      const key = await newSession();
      gate.reset();
      const slow = request(app.getHttpServer())
        .get('/slow')
        .set('Cookie', `sessionid=${key}`)
        .then((response) => response);
      await gate.entered;

      const logout = await request(app.getHttpServer())
        .get('/flush')
        .set('Cookie', `sessionid=${key}`)
        .expect(200);
      expect(setCookies(logout.headers)[0]).toMatch(/^sessionid=; /);
      gate.release();

      const late = await slow;
      expect(late.status).toBe(400);
      expect(late.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: expect.stringMatching(
          /session was deleted before the request completed/,
        ),
      });
      expect(setCookies(late.headers)).toEqual([]);
      expect(await database.sessionData(key)).toBeUndefined();
      expect(
        await database.query(
          `SELECT 1 FROM session WHERE session_data ? 'late'`,
        ),
      ).toEqual([]);
    });
  },
);
