import { jest } from '@jest/globals';
import {
  Body,
  Controller,
  Get,
  type INestApplication,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  CurrentSession,
  CurrentUserId,
  LoggedInGuard,
  type Session,
  SessionService,
  SessionsModule,
} from 'nest-sessions';
import pg from 'pg';
import request from 'supertest';
import { typeOrmOptions } from '../src/database/typeorm-options.js';
import {
  HTTP_ADAPTERS,
  serveTestingModule,
  sessionKeyFrom,
  setCookies,
} from './support/test-app.js';
import { TestDatabase } from './support/test-database.js';

/** Each user's auth hash, as the app derives it from their password. */
const hashes = new Map<string, string>();

@Controller()
class AccountController {
  constructor(private readonly sessions: SessionService) {}

  @Post('login')
  async login(@CurrentSession() session: Session, @Body('user') user: string) {
    await this.sessions.login(session, user, { authHash: hashes.get(user) });
    return { user };
  }

  @Post('logout')
  async logout(@CurrentSession() session: Session) {
    await this.sessions.logout(session);
    return {};
  }

  @UseGuards(LoggedInGuard)
  @Get('account')
  account(@CurrentUserId() userId: string, @CurrentSession() session: Session) {
    return { userId, theme: session.get('theme', 'light') };
  }

  @Get('whoami')
  whoami(@CurrentUserId() userId: string | null) {
    return { userId };
  }
}

/** Logging in and out over HTTP, and routes only for logged-in users. */
describe.each(HTTP_ADAPTERS)('Logins over HTTP, on %s', (adapter) => {
  let database: TestDatabase;
  let app: INestApplication;
  let statements: jest.Spied<typeof pg.Client.prototype.query>;

  beforeAll(async () => {
    hashes.clear();
    statements = jest.spyOn(pg.Client.prototype, 'query');
    database = await TestDatabase.create();
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot(typeOrmOptions(database.url)),
        ScheduleModule.forRoot(),
        SessionsModule.forRoot({
          auth: { currentHash: (user) => hashes.get(user) ?? null },
        }),
      ],
      controllers: [AccountController],
    }).compile();
    app = await serveTestingModule(moduleRef, adapter);
  });

  afterAll(async () => {
    statements.mockRestore();
    await app.close();
    await database.drop();
  });

  async function login(user: string, cookie?: string): Promise<string> {
    hashes.set(user, hashes.get(user) ?? 'hash-1');
    const sent = request(app.getHttpServer()).post('/login');
    const response = await (
      cookie === undefined ? sent : sent.set('Cookie', cookie)
    )
      .send({ user })
      .expect(201);
    return `sessionid=${sessionKeyFrom(response.headers)!}`;
  }

  it('answers 401 on a logged-in route without a login, and null for the user elsewhere', async () => {
    const refused = await request(app.getHttpServer())
      .get('/account')
      .expect(401);
    expect((refused.body as { message: string }).message).toBe(
      'This page is for logged-in users, and the request has no logged-in session.',
    );
    await request(app.getHttpServer())
      .get('/whoami')
      .expect(200, { userId: null });
  });

  it('logs in under a new key, and serves the logged-in route', async () => {
    const anonymous = await request(app.getHttpServer()).get('/whoami');
    expect(sessionKeyFrom(anonymous.headers)).toBeUndefined(); // nothing saved
    const visitor = await login('alice');
    const again = await login('alice', visitor);

    expect(again).not.toBe(visitor);
    await request(app.getHttpServer())
      .get('/account')
      .set('Cookie', visitor)
      .expect(401);
    await request(app.getHttpServer())
      .get('/account')
      .set('Cookie', again)
      .expect(200, { userId: 'alice', theme: 'light' });
  });

  it('reads the session once for the guard, the user and the handler: one SELECT, no write', async () => {
    const cookie = await login('bob');
    statements.mockClear();

    await request(app.getHttpServer())
      .get('/account')
      .set('Cookie', cookie)
      .expect(200);

    const sent = statements.mock.calls.map(([text]) =>
      typeof text === 'string' ? text : (text as { text: string }).text,
    );
    expect(sent).toEqual([
      expect.stringMatching(/^SELECT "session_key" AS key/),
    ]);
  });

  it('logs out: the cookie is expired and the route answers 401 again', async () => {
    const cookie = await login('carol');

    const out = await request(app.getHttpServer())
      .post('/logout')
      .set('Cookie', cookie)
      .expect(201);

    expect(setCookies(out.headers)[0]).toMatch(/^sessionid=; /);
    await request(app.getHttpServer())
      .get('/account')
      .set('Cookie', cookie)
      .expect(401);
  });

  it("logs a session out when its user's hash changed", async () => {
    const cookie = await login('dave');
    hashes.set('dave', 'hash-2');

    await request(app.getHttpServer())
      .get('/account')
      .set('Cookie', cookie)
      .expect(401);
    expect(
      await database.sessionData(cookie.slice('sessionid='.length)),
    ).toBeUndefined();
  });
});
