import {
  type DynamicModule,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type Provider,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { SessionContext } from './http/session-context.js';
import { SessionCommitService } from './http/session-commit.service.js';
import { SessionInterceptor } from './http/session.interceptor.js';
import { SessionMiddleware } from './http/session.middleware.js';
import {
  resolveSessionsOptions,
  resolveStaticOptions,
} from './options/resolve-options.js';
import type {
  SessionsModuleAsyncOptions,
  SessionsModuleOptions,
  SessionsStaticOptions,
} from './options/sessions-module-options.interface.js';
import { SessionService } from './session/session.service.js';
import {
  SESSIONS_MODULE_OPTIONS,
  SESSIONS_OPTIONS,
} from './sessions.constants.js';
import {
  createAsyncOptionsProviders,
  createOptionsProvider,
  createStoreProvider,
} from './sessions.providers.js';
import { SessionStore } from './stores/session.store.js';

/**
 * Server-side sessions for the whole app. Import it once, in the
 * application module:
 *
 * ```ts
 * @Module({
 *   imports: [
 *     TypeOrmModule.forRoot({ type: 'postgres', url, entities: [SessionEntity] }),
 *     SessionsModule.forRoot(),
 *   ],
 * })
 * export class AppModule {}
 * ```
 *
 * It is global: `SessionService` and `SessionStore` can be injected anywhere.
 */
@Module({})
export class SessionsModule implements NestModule {
  /** Sessions with options known up front. */
  static forRoot(options: SessionsModuleOptions = {}): DynamicModule {
    const { store, entity, dataSource, ...behaviour } = options;
    const statics = { store, entity, dataSource };
    resolveSessionsOptions(statics, behaviour);
    return SessionsModule.build(
      statics,
      [{ provide: SESSIONS_MODULE_OPTIONS, useValue: behaviour }],
      [],
      false,
    );
  }

  /**
   * Sessions whose behaviour options come from a factory, e.g. from
   * `ConfigService`. `store`, `entity` and `dataSource` go beside it.
   */
  static forRootAsync(options: SessionsModuleAsyncOptions): DynamicModule {
    const { store, entity, dataSource } = options;
    return SessionsModule.build(
      { store, entity, dataSource },
      createAsyncOptionsProviders(options),
      options.imports ?? [],
      true,
    );
  }

  private static build(
    statics: SessionsStaticOptions,
    optionsProviders: Provider[],
    imports: DynamicModule['imports'],
    fromFactory: boolean,
  ): DynamicModule {
    return {
      module: SessionsModule,
      global: true,
      imports,
      providers: [
        ...optionsProviders,
        createOptionsProvider(statics, fromFactory),
        createStoreProvider(resolveStaticOptions(statics)),
        SessionContext,
        SessionService,
        SessionMiddleware,
        SessionCommitService,
        { provide: APP_INTERCEPTOR, useClass: SessionInterceptor },
      ],
      exports: [SessionService, SessionStore, SESSIONS_OPTIONS],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(SessionMiddleware).forRoutes('*');
  }
}
