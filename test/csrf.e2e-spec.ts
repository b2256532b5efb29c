import {
  Body,
  Controller,
  Get,
  Post,
  type INestApplication,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  CsrfExempt,
  CsrfGuard,
  CsrfService,
  CurrentSession,
  type Session,
  SessionsModule,
} from 'nest-sessions';
import request from 'supertest';
import { typeOrmOptions } from '../src/database/typeorm-options.js';
import {
  HTTP_ADAPTERS,
  serveTestingModule,
  sessionKeyFrom,
} from './support/test-app.js';
import { TestDatabase } from './support/test-database.js';

const TRUSTED = 'https://app.example.org';

/** A page that gives a token, and the routes a form or a script posts to. */
@Controller()
class FormsController {
  constructor(private readonly csrf: CsrfService) {}

  @Get('form')
  form(@CurrentSession() session: Session) {
    return { token: this.csrf.token(session) };
  }

  @Post('notes')
  add(@CurrentSession() session: Session, @Body('text') text?: string) {
    session.set('note', text ?? '');
    return { saved: text ?? '' };
  }

  @Post('login')
  async login(@CurrentSession() session: Session) {
    await session.cycleKey();
    this.csrf.rotate(session);
    return { token: this.csrf.token(session) };
  }

  @CsrfExempt()
  @Post('webhook')
  webhook() {
    return { ok: true };
  }
}

@CsrfExempt()
@Controller('hooks')
class HooksController {
  @Post()
  hook() {
    return { ok: true };
  }
}

describe.each(HTTP_ADAPTERS)('CsrfGuard, on %s', (adapter) => {
  let database: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    database = await TestDatabase.create();
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot(typeOrmOptions(database.url)),
        ScheduleModule.forRoot(),
        SessionsModule.forRoot({ csrf: { trustedOrigins: [TRUSTED] } }),
      ],
      controllers: [FormsController, HooksController],
      providers: [{ provide: APP_GUARD, useExisting: CsrfGuard }],
    }).compile();
    app = await serveTestingModule(moduleRef, adapter, undefined, {
      trustProxy: true,
    });
  });

  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  /** A visitor who opened the form: their cookie and the page's token. */
  async function visitor(): Promise<{ cookie: string; token: string }> {
    const page = await request(app.getHttpServer()).get('/form').expect(200);
    const key = sessionKeyFrom(page.headers)!;
    return {
      cookie: `sessionid=${key}`,
      token: (page.body as { token: string }).token,
    };
  }

  function post(path: string, cookie?: string) {
    const sent = request(app.getHttpServer()).post(path);
    return cookie === undefined ? sent : sent.set('Cookie', cookie);
  }

  it('takes a form with the token in its field, or a script with it in the header', async () => {
    const { cookie, token } = await visitor();

    await post('/notes', cookie)
      .type('form')
      .send({ text: 'from a form', csrfmiddlewaretoken: token })
      .expect(201, { saved: 'from a form' });
    await post('/notes', cookie)
      .set('X-CSRFToken', token)
      .send({ text: 'from a script' })
      .expect(201, { saved: 'from a script' });
    expect(
      await database.sessionData(cookie.slice('sessionid='.length)),
    ).toMatchObject({
      note: 'from a script',
    });
  });

  it('gives each page a token of its own text, and takes them all', async () => {
    const { cookie } = await visitor();
    const pages = await Promise.all(
      [1, 2, 3].map(() =>
        request(app.getHttpServer()).get('/form').set('Cookie', cookie),
      ),
    );
    const tokens = pages.map(({ body }) => (body as { token: string }).token);

    expect(new Set(tokens).size).toBe(3);
    for (const token of tokens) {
      await post('/notes', cookie)
        .set('X-CSRFToken', token)
        .send({})
        .expect(201);
    }
  });

  it('refuses with 403, saving nothing, a post with no token, a wrong one, or one of another session', async () => {
    const { cookie, token } = await visitor();
    const other = await visitor();

    const missing = await post('/notes', cookie)
      .type('form')
      .send({ text: 'x' })
      .expect(403);
    expect((missing.body as { message: string }).message).toMatch(
      /^CSRF check failed: the request has no CSRF token/,
    );
    for (const wrong of [
      other.token,
      token.slice(1) + 'a',
      'x',
      token.slice(0, 32),
    ]) {
      const refused = await post('/notes', cookie)
        .type('form')
        .send({ text: 'x', csrfmiddlewaretoken: wrong })
        .expect(403);
      expect((refused.body as { message: string }).message).toMatch(
        /^CSRF check failed: the CSRF token is not the session's/,
      );
    }
    // No session at all: nothing to match.
    await post('/notes').set('X-CSRFToken', token).send({}).expect(403);
    expect(
      await database.sessionData(cookie.slice('sessionid='.length)),
    ).not.toHaveProperty('note');
  });

  it("refuses another site's Origin, and takes the site's own and a trusted one", async () => {
    const { cookie, token } = await visitor();

    const foreign = await post('/notes', cookie)
      .set('Origin', 'https://evil.example')
      .set('X-CSRFToken', token)
      .send({})
      .expect(403);
    expect((foreign.body as { message: string }).message).toMatch(
      /the Origin header \(https:\/\/evil\.example\) is neither this site's origin nor a trusted one/,
    );
    for (const origin of ['http://shop.example.com', TRUSTED]) {
      await post('/notes', cookie)
        .set('Host', 'shop.example.com')
        .set('Origin', origin)
        .set('X-CSRFToken', token)
        .send({})
        .expect(201);
    }
  });

  it('needs, over HTTPS without Origin, a Referer from the site', async () => {
    const { cookie, token } = await visitor();
    const https = (referer?: string) => {
      const sent = post('/notes', cookie)
        .set('Host', 'shop.example.com')
        .set('X-Forwarded-Proto', 'https')
        .set('X-CSRFToken', token);
      return (referer === undefined ? sent : sent.set('Referer', referer)).send(
        {},
      );
    };

    await https('https://shop.example.com/cart').expect(201);
    await https(`${TRUSTED}/page`).expect(201);
    const none = await https().expect(403);
    expect((none.body as { message: string }).message).toMatch(
      /must have a Referer header/,
    );
    await https('http://shop.example.com/cart').expect(403);
    await https('https://evil.example/').expect(403);
  });

  it('lets safe methods and exempt routes through without a token', async () => {
    await request(app.getHttpServer()).get('/form').expect(200);
    await request(app.getHttpServer()).head('/form').expect(200);
    await post('/webhook').send({}).expect(201, { ok: true });
    await post('/hooks').send({}).expect(201, { ok: true });
  });

  it("takes, after login rotated the secret, the new page's token and no longer the old one", async () => {
    const { cookie, token } = await visitor();
    const login = await post('/login', cookie)
      .set('X-CSRFToken', token)
      .send({})
      .expect(201);
    const loggedIn = `sessionid=${sessionKeyFrom(login.headers)!}`;
    const fresh = (login.body as { token: string }).token;

    await post('/notes', loggedIn)
      .set('X-CSRFToken', token)
      .send({})
      .expect(403);
    await post('/notes', loggedIn)
      .set('X-CSRFToken', fresh)
      .send({})
      .expect(201);
  });
});
