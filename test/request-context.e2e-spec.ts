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
  Inject,
  Injectable,
  type MiddlewareConsumer,
  Module,
  type NestMiddleware,
  type NestModule,
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

/**
 * Routes that never inject `SessionService`: they take the session with
 * `@CurrentSession()`, or look `SessionService` up at run time.
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
}

/** The ways a class can have Nest inject `SessionService`. */
@Injectable()
class ConstructorInjected {
  constructor(readonly sessions: SessionService) {}
}

@Injectable()
class PropertyInjected {
  @Inject(SessionService)
  readonly sessions!: SessionService;
}

@Injectable()
class SessionGuard implements CanActivate {
  constructor(private readonly sessions: SessionService) {}

  canActivate(): boolean {
    return this.sessions !== undefined;
  }
}

@Controller('guarded')
@UseGuards(SessionGuard)
class GuardedController {
  @Get()
  guarded() {
    return {};
  }
}

@Controller('injecting')
class InjectingController {
  constructor(readonly sessions: SessionService) {}
}

@Injectable()
class SessionMiddlewareOfTheApp implements NestMiddleware {
  constructor(readonly sessions: SessionService) {}

  use(_request: unknown, _response: unknown, next: () => void): void {
    next();
  }
}

@Module({})
class MiddlewareModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SessionMiddlewareOfTheApp).forRoutes(LookingUpController);
  }
}

/** What an app adds beside `LookingUpController`. */
interface AppParts {
  imports?: Type[];
  controllers?: Type[];
  providers?: Provider[];
  sessions?: SessionsModuleOptions;
}

const INJECTING_APPS: [string, AppParts][] = [
  ["a provider's constructor", { providers: [ConstructorInjected] }],
  ["a provider's property", { providers: [PropertyInjected] }],
  [
    "a factory's inject",
    {
      providers: [
        {
          provide: 'SESSION_KEYS',
          inject: [SessionService],
          useFactory: (sessions: SessionService) => sessions,
        },
      ],
    },
  ],
  [
    'a useExisting alias',
    { providers: [{ provide: 'SESSIONS', useExisting: SessionService }] },
  ],
  ['a controller', { controllers: [InjectingController] }],
  ['a guard in @UseGuards()', { controllers: [GuardedController] }],
  ['a Nest middleware', { imports: [MiddlewareModule] }],
];

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

    describe('where no class injects SessionService', () => {
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

      it('has current() say how to turn the context on', () =>
        withApp({}, async (app) => {
          const response = await request(app.getHttpServer())
            .get('/looked-up')
            .expect(200);
          expect(response.body).toEqual({
            missing: 'not-injected',
            message: expect.stringContaining(
              "Inject SessionService where current() is called, or set requestContext: true in SessionsModule's options.",
            ) as string,
          });
          expect(sessionKeyFrom(response.headers)).toBeUndefined();
        }));

      it('runs requests in the context with requestContext: true', () =>
        withApp({ sessions: { requestContext: true } }, async (app) => {
          const response = await request(app.getHttpServer())
            .get('/looked-up')
            .expect(200, { context: true });
          const key = sessionKeyFrom(response.headers)!;
          expect(await database.sessionData(key)).toEqual({ lookedUp: true });
        }));
    });

    it.each(INJECTING_APPS)(
      'runs requests in the context when %s injects SessionService',
      (_way, parts) =>
        withApp(parts, async (app) => {
          const response = await request(app.getHttpServer())
            .get('/looked-up')
            .expect(200, { context: true });
          const key = sessionKeyFrom(response.headers)!;
          expect(await database.sessionData(key)).toEqual({ lookedUp: true });
        }),
    );

    if (adapter === 'express') {
      it("takes the session middleware off Express's router where requests run without the context", async () => {
        const layers = (app: INestApplication) => {
          const express = app.getHttpAdapter().getInstance() as {
            router: { stack: unknown[] };
          };
          return express.router.stack.length;
        };
        let withContext = 0;
        let withoutContext = 0;
        await withApp({ sessions: { requestContext: true } }, async (app) => {
          withContext = layers(app);
          await request(app.getHttpServer())
            .get('/looked-up')
            .expect(200, { context: true });
        });
        await withApp({}, async (app) => {
          withoutContext = layers(app);
          await request(app.getHttpServer())
            .get('/count')
            .expect(200, { visits: 1 });
        });
        expect(withoutContext).toBe(withContext - 1);
      });
    }

    it('runs requests without the context with requestContext: false, where @CurrentSession() still works', () =>
      withApp(
        {
          providers: [ConstructorInjected],
          sessions: { requestContext: false },
        },
        async (app) => {
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
        },
      ));
  },
);
