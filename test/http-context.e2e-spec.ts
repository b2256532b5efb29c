import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScheduleModule } from '@nestjs/schedule';
import {
  CurrentSession,
  type Session,
  SessionService,
  SessionsModule,
} from 'nest-sessions';
import {
  type ArgumentsHost,
  Body,
  type CallHandler,
  Catch,
  Controller,
  type ExceptionFilter,
  ForbiddenException,
  Get,
  type INestApplication,
  Injectable,
  type NestInterceptor,
  NotFoundException,
  Post,
  Res,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Observable } from 'rxjs';
import request from 'supertest';
import { typeOrmOptions } from '../src/database/typeorm-options.js';
import {
  HTTP_ADAPTERS,
  serveTestingModule,
  sessionKeyFrom,
  setCookies,
} from './support/test-app.js';
import { TestDatabase } from './support/test-database.js';

/** Notes in the session that the request went through an interceptor. */
@Injectable()
class StampingInterceptor implements NestInterceptor {
  constructor(private readonly sessions: SessionService) {}

  async intercept(
    _context: unknown,
    next: CallHandler,
  ): Promise<Observable<unknown>> {
    (await this.sessions.current()).set('intercepted', true);
    return next.handle();
  }
}

/** Answers a refusal with its own body, after noting it in the session. */
@Catch(ForbiddenException)
class RefusalNotingFilter implements ExceptionFilter {
  constructor(
    private readonly sessions: SessionService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async catch(_exception: ForbiddenException, host: ArgumentsHost) {
    (await this.sessions.current()).set('refusals', 1);
    this.adapterHost.httpAdapter.reply(
      host.switchToHttp().getResponse(),
      { noted: true },
      403,
    );
  }
}

/** Counts, in the session, the visitor's requests for pages that do not exist. */
@Catch(NotFoundException)
class NotFoundCountingFilter implements ExceptionFilter {
  constructor(
    private readonly sessions: SessionService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async catch(_exception: NotFoundException, host: ArgumentsHost) {
    const session = await this.sessions.current();
    const misses = session.get('misses', 0) + 1;
    session.set('misses', misses);
    this.adapterHost.httpAdapter.reply(
      host.switchToHttp().getResponse(),
      { misses },
      404,
    );
  }
}

@Controller()
class ContextProbeController {
  @Get('intercepted')
  @UseInterceptors(StampingInterceptor)
  intercepted(@CurrentSession() session: Session) {
    return session.toJSON();
  }

  @Get('refusal')
  @UseFilters(RefusalNotingFilter)
  refusal() {
    throw new ForbiddenException();
  }

  @Post('body')
  body(
    @CurrentSession() session: Session,
    @Body() values: Record<string, string>,
  ) {
    session.update(values);
    return session.toJSON();
  }

  /** Answers through the adapter's own response object (`res.send()` on both). */
  @Get('res-send')
  resSend(
    @CurrentSession() session: Session,
    @Res() response: { status(code: number): { send(body: string): void } },
  ) {
    session.set('sent', 'by res.send()');
    response.status(201).send('sent by the handler');
  }
}

/**
 * Where the request's session can be used: interceptors, exception filters
 * (404s included), handlers whose body arrives after the headers, handlers
 * that answer through `@Res()`; each change saved with its cookie.
 */
describe.each(HTTP_ADAPTERS)(
  'The session across a request, on %s',
  (adapter) => {
    let database: TestDatabase;
    let app: INestApplication;

    beforeAll(async () => {
      database = await TestDatabase.create();
      const moduleRef = await Test.createTestingModule({
        imports: [
          TypeOrmModule.forRoot(typeOrmOptions(database.url)),
          ScheduleModule.forRoot(),
          SessionsModule.forRoot(),
        ],
        controllers: [ContextProbeController],
        providers: [
          StampingInterceptor,
          RefusalNotingFilter,
          { provide: APP_FILTER, useClass: NotFoundCountingFilter },
        ],
      }).compile();
      app = await serveTestingModule(moduleRef, adapter);
    });

    afterAll(async () => {
      await app.close();
      await database.drop();
    });

    it('reaches an interceptor', async () => {
      const response = await request(app.getHttpServer())
        .get('/intercepted')
        .expect(200, { intercepted: true });
      const key = sessionKeyFrom(response.headers)!;
      expect(await database.sessionData(key)).toEqual({ intercepted: true });
    });

    it('reaches an exception filter, whose answer carries the cookie', async () => {
      const response = await request(app.getHttpServer())
        .get('/refusal')
        .expect(403, { noted: true });
      expect(response.headers['vary']).toBe('Cookie');
      const key = sessionKeyFrom(response.headers)!;
      expect(await database.sessionData(key)).toEqual({ refusals: 1 });
    });

    it('reaches the exception filter of a 404', async () => {
      const first = await request(app.getHttpServer())
        .get('/nowhere')
        .expect(404, { misses: 1 });
      const key = sessionKeyFrom(first.headers)!;
      await request(app.getHttpServer())
        .post('/nowhere/else')
        .set('Cookie', `sessionid=${key}`)
        .expect(404, { misses: 2 });
      expect(await database.sessionData(key)).toEqual({ misses: 2 });
    });

    it('reaches a handler whose body arrives after the headers', async () => {
      // supertest cannot hold a body back, so this test talks to the server
      // itself, on a port of its own.
      const server = app.getHttpServer() as Server;
      await new Promise<void>((resolve) =>
        server.listen(0, '127.0.0.1', resolve),
      );
      const { port } = server.address() as AddressInfo;
      const body = JSON.stringify({ late: 'body' });
      const answer = await new Promise<{
        status: number;
        headers: Record<string, unknown>;
        text: string;
      }>((resolve, reject) => {
        const outgoing = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/body',
            agent: false,
            headers: {
              'Content-Type': 'application/json',
              'Content-Length': Buffer.byteLength(body),
            },
          },
          (incoming) => {
            let text = '';
            incoming.setEncoding('utf8');
            incoming.on('data', (chunk: string) => (text += chunk));
            incoming.on('end', () =>
              resolve({
                status: incoming.statusCode!,
                headers: incoming.headers,
                text,
              }),
            );
          },
        );
        outgoing.on('error', reject);
        // The body goes once the server has read the headers, in a later read.
        server.once('request', () => outgoing.end(body));
        outgoing.flushHeaders();
      }).finally(
        () => new Promise<void>((resolve) => server.close(() => resolve())),
      );
      expect(answer.status).toBe(201);
      expect(JSON.parse(answer.text)).toEqual({ late: 'body' });
      const key = sessionKeyFrom(answer.headers)!;
      expect(await database.sessionData(key)).toEqual({ late: 'body' });
    });

    it("saves and sets the cookie for a handler that answers with the adapter's res.send()", async () => {
      const response = await request(app.getHttpServer())
        .get('/res-send')
        .expect(201, 'sent by the handler');
      expect(setCookies(response.headers)).toHaveLength(1);
      const key = sessionKeyFrom(response.headers)!;
      expect(await database.sessionData(key)).toEqual({
        sent: 'by res.send()',
      });
    });
  },
);
