import { ScheduleModule } from '@nestjs/schedule';
import {
  AbstractSessionEntity,
  SessionContextError,
  SessionsConfigurationError,
  SessionService,
  SessionsModule,
  SessionStore,
  type SessionsBehaviourOptions,
  type SessionsOptionsFactory,
  UserSessionsUnsupportedError,
} from 'nest-sessions';
import {
  Injectable,
  type MiddlewareConsumer,
  Module,
  type NestMiddleware,
  type NestModule,
  type INestApplication,
} from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import { Column, Entity } from 'typeorm';
import { typeOrmOptions } from '../src/database/typeorm-options.js';
import {
  RequestGate,
  SessionProbeController,
} from './support/session-probe.controller.js';
import { silentLogger } from './support/sessions-testing-module.js';
import { sessionKeyFrom, setCookies } from './support/test-app.js';
import { TestDatabase } from './support/test-database.js';

@Entity('app_session')
class AppSession extends AbstractSessionEntity {
  @Column({ name: 'user_id', type: 'integer', nullable: true })
  userId!: number | null;
}

@Injectable()
class CookieNameFromConfig implements SessionsOptionsFactory {
  constructor(private readonly config: ConfigService) {}

  createSessionsOptions(): SessionsBehaviourOptions {
    return { cookie: { name: this.config.getOrThrow('SESSION_COOKIE') } };
  }
}

@Module({
  imports: [ConfigModule],
  providers: [CookieNameFromConfig],
  exports: [CookieNameFromConfig],
})
class SessionsConfigModule {}

/** An app's own middleware that uses the session. */
@Injectable()
class MarkVisitMiddleware implements NestMiddleware {
  constructor(private readonly sessions: SessionService) {}

  async use(_request: unknown, _response: unknown, next: () => void) {
    const session = await this.sessions.current();
    session.set('marked', 'by the middleware');
    next();
  }
}

/** Applies `MarkVisitMiddleware` to every route, before SessionsModule is imported. */
@Module({ providers: [MarkVisitMiddleware] })
class MarkVisitModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(MarkVisitMiddleware).forRoutes('*');
  }
}

/** SessionsModule as an app wires it: forRoot, forRootAsync, and what it needs. */
describe('SessionsModule', () => {
  let database: TestDatabase;
  const opened: (TestingModule | INestApplication)[] = [];

  beforeAll(async () => {
    database = await TestDatabase.create();
  });

  afterAll(async () => {
    await Promise.all(opened.map((closable) => closable.close()));
    await database.drop();
  });

  function config(values: Record<string, string>) {
    return ConfigModule.forRoot({
      ignoreEnvFile: true,
      isGlobal: true,
      load: [() => values],
    });
  }

  async function serve(imports: unknown[]): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [ScheduleModule.forRoot(), ...(imports as never[])],
      controllers: [SessionProbeController],
      providers: [RequestGate],
    })
      .setLogger(silentLogger)
      .compile();
    const app = await moduleRef
      .createNestApplication({ logger: silentLogger })
      .init();
    opened.push(app);
    return app;
  }

  async function cookieNameOf(app: INestApplication): Promise<string> {
    const response = await request(app.getHttpServer())
      .get('/set?a=1')
      .expect(200);
    return setCookies(response.headers)[0].split('=')[0];
  }

  async function compileError(imports: unknown[]): Promise<Error> {
    const error: unknown = await Test.createTestingModule({
      imports: imports as never[],
    })
      .setLogger(silentLogger)
      .compile()
      .then(
        (moduleRef) => {
          opened.push(moduleRef);
          return undefined;
        },
        (caught: unknown) => caught,
      );
    if (!(error instanceof Error)) {
      throw new Error('expected the module to fail to compile');
    }
    return error;
  }

  describe('forRootAsync', () => {
    it('takes the options from a factory with ConfigService', async () => {
      const app = await serve([
        config({ SESSION_COOKIE: 'from_factory' }),
        TypeOrmModule.forRoot(typeOrmOptions(database.url)),
        SessionsModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (configService: ConfigService) => ({
            cookie: {
              name: configService.getOrThrow<string>('SESSION_COOKIE'),
            },
          }),
        }),
      ]);
      expect(await cookieNameOf(app)).toBe('from_factory');
    });

    it('takes the options from a class (useClass)', async () => {
      const app = await serve([
        config({ SESSION_COOKIE: 'from_class' }),
        TypeOrmModule.forRoot(typeOrmOptions(database.url)),
        SessionsModule.forRootAsync({ useClass: CookieNameFromConfig }),
      ]);
      expect(await cookieNameOf(app)).toBe('from_class');
    });

    it('takes the options from an existing provider (useExisting)', async () => {
      const app = await serve([
        config({ SESSION_COOKIE: 'from_existing' }),
        TypeOrmModule.forRoot(typeOrmOptions(database.url)),
        SessionsModule.forRootAsync({
          imports: [SessionsConfigModule],
          useExisting: CookieNameFromConfig,
        }),
      ]);
      expect(await cookieNameOf(app)).toBe('from_existing');
    });

    it('reports options the factory got wrong, all at once', async () => {
      const error = await compileError([
        TypeOrmModule.forRoot(typeOrmOptions(database.url)),
        SessionsModule.forRootAsync({
          useFactory: () =>
            ({
              store: 'db',
              cookie: { maxAge: -1, sameSite: 'none' },
            }) as SessionsBehaviourOptions,
        }),
      ]);
      expect(error).toBeInstanceOf(SessionsConfigurationError);
      expect((error as SessionsConfigurationError).problems).toEqual([
        expect.stringMatching(
          /'store' decides which providers exist.*beside useFactory/,
        ),
        expect.stringMatching(
          /'cookie.maxAge' must be a whole number of seconds from 1 to 3153600000 \(100 years\), got -1/,
        ),
        expect.stringMatching(
          /'cookie.sameSite' 'none' needs 'cookie.secure': true/,
        ),
      ]);
    });

    it('needs useFactory, useClass or useExisting', () => {
      expect(() => SessionsModule.forRootAsync({})).toThrow(
        /forRootAsync\(\) needs useFactory, useClass or useExisting/,
      );
    });
  });

  describe('what the db store needs', () => {
    it('says at bootstrap that there is no TypeORM data source', async () => {
      const error = await compileError([SessionsModule.forRoot()]);
      expect(error).toBeInstanceOf(SessionsConfigurationError);
      expect(error.message).toMatch(
        /the 'db' store needs a TypeORM data source, and there is none: import TypeOrmModule.forRoot\(\)/,
      );
    });

    it('says which named data source is missing', async () => {
      const error = await compileError([
        TypeOrmModule.forRoot(typeOrmOptions(database.url)),
        SessionsModule.forRoot({ dataSource: 'sessions' }),
      ]);
      expect(error.message).toMatch(
        /needs a TypeORM data source named 'sessions'/,
      );
    });

    it('says when the entity is not registered with the data source', async () => {
      const error = await compileError([
        TypeOrmModule.forRoot({
          ...typeOrmOptions(database.url),
          entities: [],
        }),
        SessionsModule.forRoot(),
      ]);
      expect(error).toBeInstanceOf(SessionsConfigurationError);
      expect(error.message).toMatch(
        /the entity SessionEntity is not registered with the TypeORM data source/,
      );
    });

    it('registers its entity with a data source that loads entities by itself', async () => {
      const app = await serve([
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: database.url,
          autoLoadEntities: true,
        }),
        SessionsModule.forRoot(),
      ]);
      const response = await request(app.getHttpServer())
        .get('/set?a=1')
        .expect(200);
      expect(
        await database.sessionData(sessionKeyFrom(response.headers)!),
      ).toEqual({ a: '1' });
    });

    it('uses a named data source', async () => {
      const app = await serve([
        TypeOrmModule.forRoot({
          ...typeOrmOptions(database.url),
          name: 'sessions',
        }),
        SessionsModule.forRoot({ dataSource: 'sessions' }),
      ]);
      const response = await request(app.getHttpServer())
        .get('/set?a=1')
        .expect(200);
      expect(
        await database.sessionData(sessionKeyFrom(response.headers)!),
      ).toEqual({
        a: '1',
      });
    });

    it("uses the app's own entity, with its own table and columns", async () => {
      await database.query(
        `CREATE TABLE app_session (
           session_key varchar(40) PRIMARY KEY,
           session_data jsonb NOT NULL,
           expire_date timestamptz NOT NULL,
           user_id integer
         )`,
      );
      const app = await serve([
        TypeOrmModule.forRoot({
          ...typeOrmOptions(database.url),
          entities: [AppSession],
        }),
        SessionsModule.forRoot({ entity: AppSession }),
      ]);
      const response = await request(app.getHttpServer())
        .get('/set?a=1')
        .expect(200);
      const key = sessionKeyFrom(response.headers);
      await database.query(
        'UPDATE app_session SET user_id = 42 WHERE session_key = $1',
        [key],
      );
      await request(app.getHttpServer())
        .get('/set?b=2')
        .set('Cookie', `sessionid=${key}`)
        .expect(200, { a: '1', b: '2' });
      expect(
        await database.query('SELECT session_data, user_id FROM app_session'),
      ).toEqual([{ session_data: { a: '1', b: '2' }, user_id: 42 }]);

      // Without the users' columns, per-user sessions say what is missing.
      const sessions = app.get(SessionService);
      expect(app.get(SessionStore).findsUserSessions).toBe(false);
      await expect(sessions.listUserSessions('alice')).rejects.toThrow(
        new UserSessionsUnsupportedError(
          'TypeOrmSessionStore',
          "The session entity AppSession has no users' columns, so the store cannot list or revoke a user's sessions. " +
            'Extend AbstractUserSessionEntity instead of AbstractSessionEntity, and add its columns to the table ' +
            '(the migration AddSessionUsers1796601600000 does it for the session table).',
        ),
      );
    });
  });

  it('rejects bad options when forRoot() is called, listing every problem', () => {
    let error: unknown;
    try {
      SessionsModule.forRoot({
        cookie: { name: 'bad name', path: 'relative' },
        saveEveryRequest: 'yes' as unknown as boolean,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SessionsConfigurationError);
    expect((error as SessionsConfigurationError).problems).toEqual([
      expect.stringMatching(/^'cookie.name' must be a cookie name/),
      expect.stringMatching(/^'cookie.path' must start with '\/'/),
      expect.stringMatching(
        /^'saveEveryRequest' must be true or false, got 'yes'/,
      ),
    ]);
  });

  it("serves the session to the app's own middleware, whatever the module order", async () => {
    const app = await serve([
      MarkVisitModule,
      TypeOrmModule.forRoot(typeOrmOptions(database.url)),
      SessionsModule.forRoot(),
    ]);
    const response = await request(app.getHttpServer())
      .get('/read')
      .expect(200, { marked: 'by the middleware' });
    expect(
      await database.sessionData(sessionKeyFrom(response.headers)!),
    ).toEqual({ marked: 'by the middleware' });
  });

  it('has no current session outside of a request', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot(typeOrmOptions(database.url)),
        SessionsModule.forRoot(),
      ],
    })
      .setLogger(silentLogger)
      .compile();
    opened.push(moduleRef);
    await expect(
      moduleRef.get(SessionService).current(),
    ).rejects.toBeInstanceOf(SessionContextError);
  });
});
