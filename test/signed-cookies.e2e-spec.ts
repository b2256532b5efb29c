import type { SessionsModuleOptions } from 'nest-sessions';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { RecordingLogger } from './support/recording-logger.js';
import {
  createTestApp,
  HTTP_ADAPTERS,
  type HttpAdapterName,
  sessionKeyFrom,
  setCookies,
} from './support/test-app.js';
import { TestDatabase } from './support/test-database.js';

const SECRET = 'the-current-secret-0123456789abcdefghijklmnop';
const OLD_SECRET = 'the-former-secret-0123456789abcdefghijklmnopq';

/** The session data a signed cookie value carries, read as any visitor can. */
function dataIn(value: string): unknown {
  const [payload] = value.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

/** `value` with its payload swapped for `data`, its signature left as it was. */
function withPayload(value: string, data: object): string {
  const [, ...rest] = value.split('.');
  const payload = Buffer.from(JSON.stringify(data)).toString('base64url');
  return [payload, ...rest].join('.');
}

describe.each(HTTP_ADAPTERS)(
  "The 'signed_cookies' store over HTTP (%s)",
  (adapter: HttpAdapterName) => {
    let database: TestDatabase;
    const apps: INestApplication[] = [];

    async function app(
      sessions: SessionsModuleOptions = {},
      logger?: RecordingLogger,
    ): Promise<INestApplication> {
      const created = await createTestApp(database, {
        adapter,
        logger,
        sessions: { store: 'signed_cookies', secret: SECRET, ...sessions },
      });
      apps.push(created);
      return created;
    }

    /** Sets `query` in a new session; the cookie value the app sent back. */
    async function cookieHolding(
      server: unknown,
      query: string,
    ): Promise<string> {
      const response = await request(server as never)
        .get(`/set?${query}`)
        .expect(200);
      return sessionKeyFrom(response.headers)!;
    }

    beforeAll(async () => {
      database = await TestDatabase.create();
    });

    afterAll(async () => {
      await Promise.all(apps.map((created) => created.close()));
      await database.drop();
    });

    it('keeps the whole session in the cookie, with no row in the database', async () => {
      const server = (await app()).getHttpServer();

      const first = await cookieHolding(server, 'name=zoe');
      const response = await request(server)
        .get('/set?step=2')
        .set('Cookie', `sessionid=${first}`)
        .expect(200);
      const second = sessionKeyFrom(response.headers)!;

      expect(dataIn(first)).toEqual({ name: 'zoe' });
      expect(dataIn(second)).toEqual({ name: 'zoe', step: '2' });
      await request(server)
        .get('/read')
        .set('Cookie', `sessionid=${second}`)
        .expect(200, { name: 'zoe', step: '2' });
      expect(await database.sessionCount()).toBe(0);
    });

    it('gives a tampered or truncated cookie an empty session, and a fresh cookie on save', async () => {
      const server = (await app()).getHttpServer();
      const genuine = await cookieHolding(server, 'user=alice');
      const forged = withPayload(genuine, { user: 'admin' });
      const truncated = genuine.slice(0, -1);

      for (const cookie of [forged, truncated]) {
        await request(server)
          .get('/read')
          .set('Cookie', `sessionid=${cookie}`)
          .expect(200, {});
      }
      const response = await request(server)
        .get('/set?fresh=1')
        .set('Cookie', `sessionid=${forged}`)
        .expect(200, { fresh: '1' });
      const fresh = sessionKeyFrom(response.headers)!;

      expect(fresh).not.toBe(forged);
      expect(dataIn(fresh)).toEqual({ fresh: '1' });
    });

    it('fails a save too large for a cookie with a clear error, and sends no cookie', async () => {
      const logger = new RecordingLogger();
      const server = (await app({}, logger)).getHttpServer();
      const small = await cookieHolding(server, 'kept=1');
      const big = 'x'.repeat(5000);

      const response = await request(server)
        .get(`/set?big=${big}`)
        .set('Cookie', `sessionid=${small}`)
        .expect(413);

      expect(setCookies(response.headers)).toEqual([]);
      expect(logger.text()).toMatch(
        /The session cookie 'sessionid' would take \d{4,} bytes, over the 4096 bytes a browser keeps/,
      );
      expect(logger.text()).not.toContain(big);
      await request(server)
        .get('/read')
        .set('Cookie', `sessionid=${small}`)
        .expect(200, { kept: '1' });
    });

    it('counts the cookie name in the size', async () => {
      const longName = `session${'n'.repeat(300)}`;
      const short = (await app()).getHttpServer();
      const long = (await app({ cookie: { name: longName } })).getHttpServer();
      const value = 'x'.repeat(2850);

      const fits = await request(short).get(`/set?v=${value}`).expect(200);
      await request(long).get(`/set?v=${value}`).expect(413);

      const size = `sessionid=${sessionKeyFrom(fits.headers)}`.length;
      expect(size).toBeLessThanOrEqual(4096);
      expect(size - 'sessionid'.length + longName.length).toBeGreaterThan(4096);
    });

    describe('secret rotation', () => {
      it('reads a cookie signed with a fallback secret, and re-signs it with the new secret on save', async () => {
        const before = (await app({ secret: OLD_SECRET })).getHttpServer();
        const during = (
          await app({ secret: SECRET, fallbackSecrets: [OLD_SECRET] })
        ).getHttpServer();
        const after = (await app({ secret: SECRET })).getHttpServer();
        const old = await cookieHolding(before, 'kept=yes');

        await request(during)
          .get('/read')
          .set('Cookie', `sessionid=${old}`)
          .expect(200, { kept: 'yes' });
        const response = await request(during)
          .get('/set?added=1')
          .set('Cookie', `sessionid=${old}`)
          .expect(200);
        const resigned = sessionKeyFrom(response.headers)!;

        await request(after)
          .get('/read')
          .set('Cookie', `sessionid=${resigned}`)
          .expect(200, { kept: 'yes', added: '1' });
        await request(after)
          .get('/read')
          .set('Cookie', `sessionid=${old}`)
          .expect(200, {});
        await request(before)
          .get('/read')
          .set('Cookie', `sessionid=${resigned}`)
          .expect(200, {});
      });
    });

    describe('ending a session', () => {
      it('expires the cookie on flush, though a copy kept by the client still verifies: it cannot be revoked', async () => {
        const server = (await app()).getHttpServer();
        const cookie = await cookieHolding(server, 'user=alice');

        const response = await request(server)
          .get('/flush')
          .set('Cookie', `sessionid=${cookie}`)
          .expect(200);

        expect(setCookies(response.headers)).toEqual([
          expect.stringMatching(/^sessionid=; Path=\/; Max-Age=0; /),
        ]);
        await request(server)
          .get('/read')
          .set('Cookie', `sessionid=${cookie}`)
          .expect(200, { user: 'alice' });
      });

      // Fails until Session's save of an emptied session asks the store to
      // delete the value that save returned, not the one it was loaded under:
      // a cookie store's value changes with every save.
      it('expires the cookie of a session emptied by clear()', async () => {
        const server = (await app()).getHttpServer();
        const cookie = await cookieHolding(server, 'user=alice');

        const response = await request(server)
          .get('/clear')
          .set('Cookie', `sessionid=${cookie}`)
          .expect(200);

        expect(setCookies(response.headers)).toEqual([
          expect.stringMatching(/^sessionid=; Path=\/; Max-Age=0; /),
        ]);
      });
    });
  },
);
