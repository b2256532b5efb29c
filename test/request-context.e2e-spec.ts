import {
  CurrentSession,
  type Session,
  SessionContextError,
  SessionService,
  SessionsModule,
  type SessionsModuleOptions,
} from 'nest-sessions';
import {
  type CanActivate,
  Controller,
  Get,
  type INestApplication,
  Injectable,
  type Provider,
  type Type,
  UseGuards,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import { typeOrmOptions } from '../src/database/typeorm-options.js';
import {
  HTTP_ADAPTERS,
  type HttpAdapterName,
  serveTestingModule,
  sessionKeyFrom,
} from './support/test-app.js';
import { TestDatabase } from './support/test-database.js';

/** A guard that reaches `SessionService` through `ModuleRef`. */
@Injectable()
class LookingUpGuard implements CanActivate {
  constructor(private readonly moduleRef: ModuleRef) {}

  async canActivate(): Promise<boolean> {
    const sessions = this.moduleRef.get(SessionService, { strict: false });
    (await sessions.current()).set('guarded', true);
    return true;
  }
}

/**
 * Routes that never inject `SessionService`: they take the session with
 * `@CurrentSession()`, or look `SessionService` up at run time, which an
 * app may do anywhere.
 */
@Controller()
class LookingUpController {
  constructor(private readonly moduleRef: ModuleRef) {}

  @Get('count')
  count(@CurrentSession() session: Session) {
    const visits = session.get('visits', 0) + 1;
    session.set('visits', visits);
    return { visits };
  }

  @Get('twice')
  twice(@CurrentSession() first: Session, @CurrentSession() second: Session) {
    first.set('twice', true);
    return { same: first === second };
  }

  /** `current()` on a `SessionService` looked up, not injected. */
  @Get('looked-up')
  async lookedUp() {
    const sessions = this.moduleRef.get(SessionService, { strict: false });
    try {
      (await sessions.current()).set('lookedUp', true);
      return { context: true };
    } catch (error) {
      if (error instanceof SessionContextError) {
        return { missing: error.missing, message: error.message };
      }
      throw error;
    }
  }

  @Get('guarded')
  @UseGuards(LookingUpGuard)
  guarded(@CurrentSession() session: Session) {
    return { guarded: session.get('guarded') };
  }

  /** `current()` beside `@CurrentSession()` in one request. */
  @Get('both')
  async both(@CurrentSession() session: Session) {
    const sessions = this.moduleRef.get(SessionService, { strict: false });
    session.set('both', true);
    return { same: (await sessions.current()) === session };
  }
}

/** What an app adds beside `LookingUpController`. */
interface AppParts {
  imports?: Type[];
  controllers?: Type[];
  providers?: Provider[];
  sessions?: SessionsModuleOptions;
}

describe.each(HTTP_ADAPTERS)(
  'The request context, on %s',
  (adapter: HttpAdapterName) => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await TestDatabase.create();
    });

    afterAll(async () => {
      await database.drop();
    });

    async function withApp(
      parts: AppParts,
      test: (app: INestApplication) => Promise<void>,
    ): Promise<void> {
      const moduleRef = await Test.createTestingModule({
        imports: [
          TypeOrmModule.forRoot(typeOrmOptions(database.url)),
          ScheduleModule.forRoot(),
          SessionsModule.forRoot(parts.sessions),
          ...(parts.imports ?? []),
        ],
        controllers: [LookingUpController, ...(parts.controllers ?? [])],
        providers: parts.providers ?? [],
      }).compile();
      const app = await serveTestingModule(moduleRef, adapter);
      try {
        await test(app);
      } finally {
        await app.close();
      }
    }

    describe('by default', () => {
      it('@CurrentSession() saves the session, sets its cookie and loads it back', () =>
        withApp({}, async (app) => {
          const first = await request(app.getHttpServer())
            .get('/count')
            .expect(200, { visits: 1 });
          expect(first.headers['vary']).toBe('Cookie');
          const key = sessionKeyFrom(first.headers)!;
          await request(app.getHttpServer())
            .get('/count')
            .set('Cookie', `sessionid=${key}`)
            .expect(200, { visits: 2 });
          expect(await database.sessionData(key)).toEqual({ visits: 2 });
        }));

      it('gives every @CurrentSession() of a request the same session', () =>
        withApp({}, async (app) => {
          const response = await request(app.getHttpServer())
            .get('/twice')
            .expect(200, { same: true });
          const key = sessionKeyFrom(response.headers)!;
          expect(await database.sessionData(key)).toEqual({ twice: true });
        }));

      it('runs requests in the context where no class injects SessionService and current() is called on one looked up', () =>
        withApp({}, async (app) => {
          const response = await request(app.getHttpServer())
            .get('/looked-up')
            .expect(200, { context: true });
          const key = sessionKeyFrom(response.headers)!;
          expect(await database.sessionData(key)).toEqual({ lookedUp: true });
        }));

      it('gives current() and @CurrentSession() of a request the same session', () =>
        withApp({}, async (app) => {
          const response = await request(app.getHttpServer())
            .get('/both')
            .expect(200, { same: true });
          const key = sessionKeyFrom(response.headers)!;
          expect(await database.sessionData(key)).toEqual({ both: true });
        }));
    });

    it('runs a guard in the context, whose session the handler gets', () =>
      withApp({}, async (app) => {
        const response = await request(app.getHttpServer())
          .get('/guarded')
          .expect(200, { guarded: true });
        const key = sessionKeyFrom(response.headers)!;
        expect(await database.sessionData(key)).toEqual({ guarded: true });
      }));

    it('runs requests in the context with requestContext: true', () =>
      withApp({ sessions: { requestContext: true } }, async (app) => {
        const response = await request(app.getHttpServer())
          .get('/looked-up')
          .expect(200, { context: true });
        const key = sessionKeyFrom(response.headers)!;
        expect(await database.sessionData(key)).toEqual({ lookedUp: true });
      }));

    it('runs requests without the context with requestContext: false, where @CurrentSession() still works', () =>
      withApp({ sessions: { requestContext: false } }, async (app) => {
        const lookedUp = await request(app.getHttpServer())
          .get('/looked-up')
          .expect(200);
        expect(lookedUp.body).toEqual({
          missing: 'turned-off',
          message: expect.stringContaining(
            "requestContext is false in SessionsModule's options",
          ) as string,
        });
        const counted = await request(app.getHttpServer())
          .get('/count')
          .expect(200, { visits: 1 });
        const key = sessionKeyFrom(counted.headers)!;
        expect(await database.sessionData(key)).toEqual({ visits: 1 });
      }));
  },
);
