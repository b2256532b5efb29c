import { LoggedInGuard } from './http/logged-in.guard.js';
import { CsrfGuard } from './csrf/csrf.guard.js';
import { CsrfService } from './csrf/csrf.service.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type DynamicModule,
  Module,
  type NestModule,
  type Provider,
} from '@nestjs/common';
import { DiscoveryModule, HttpAdapterHost } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { FastifyInstance } from 'fastify';
import { CleanupScheduler } from './cleanup/cleanup.scheduler.js';
import { CleanupService } from './cleanup/cleanup.service.js';
import { SessionsExpiredExplorer } from './cleanup/sessions-expired.explorer.js';
import { addFastifyHooks } from './http/fastify-hooks.js';
import { SessionCommitService } from './http/session-commit.service.js';
import { SessionMiddleware } from './http/session.middleware.js';
import { SessionsExceptionFilter } from './http/sessions-exception.filter.js';
import { SessionsHealthIndicator } from './health/sessions-health.indicator.js';
import {
  type ResolvedStaticOptions,
  resolveSessionsOptions,
  resolveStaticOptions,
} from './options/resolve-options.js';
import type {
  SessionsModuleAsyncOptions,
  SessionsModuleOptions,
} from './options/sessions-module-options.interface.js';
import { SessionService } from './session/session.service.js';
import {
  SESSIONS_MODULE_OPTIONS,
  SESSIONS_OPTIONS,
} from './sessions.constants.js';
import {
  createAsyncOptionsProviders,
  createFactoryOptionsProvider,
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
 *     ScheduleModule.forRoot(),
 *     SessionsModule.forRoot(),
 *   ],
 * })
 * export class AppModule {}
 * ```
 *
 * It is global: `SessionService`, `SessionStore`, `CleanupService`,
 * `SessionsExceptionFilter` and `SessionsHealthIndicator` can be injected
 * anywhere. The nightly cleanup of expired sessions needs
 * `ScheduleModule.forRoot()` from `@nestjs/schedule` in the app (or
 * `cleanup: { enabled: false }`).
 */
@Module({})
export class SessionsModule implements NestModule {
  /** @internal Made by Nest's injector. */
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly middleware: SessionMiddleware,
  ) {}

  /** Sessions with options known up front. */
  static forRoot(options: SessionsModuleOptions = {}): DynamicModule {
    const { store, entity, dataSource, ...behaviour } = options;
    const resolved = resolveSessionsOptions(
      { store, entity, dataSource },
      behaviour,
    );
    return SessionsModule.build(resolved, [
      { provide: SESSIONS_MODULE_OPTIONS, useValue: behaviour },
      { provide: SESSIONS_OPTIONS, useValue: resolved },
    ]);
  }

  /**
   * Sessions whose behaviour options come from a factory, e.g. from
   * `ConfigService`. `store`, `entity` and `dataSource` go beside it.
   */
  static forRootAsync(options: SessionsModuleAsyncOptions): DynamicModule {
    const { store, entity, dataSource } = options;
    const statics = resolveStaticOptions({ store, entity, dataSource });
    return SessionsModule.build(
      statics,
      [
        ...createAsyncOptionsProviders(options),
        createFactoryOptionsProvider(statics),
      ],
      options.imports,
    );
  }

  /** The module, from its static options and the providers of all its options. */
  private static build(
    statics: ResolvedStaticOptions,
    optionsProviders: Provider[],
    imports: DynamicModule['imports'] = [],
  ): DynamicModule {
    registerEntity(statics);
    return {
      module: SessionsModule,
      global: true,
      imports: [DiscoveryModule, ...imports],
      providers: [
        ...optionsProviders,
        createStoreProvider(statics),
        SessionService,
        SessionMiddleware,
        SessionCommitService,
        SessionsExceptionFilter,
        SessionsExpiredExplorer,
        CleanupService,
        CleanupScheduler,
        SessionsHealthIndicator,
        CsrfService,
        CsrfGuard,
        LoggedInGuard,
      ],
      exports: [
        SessionService,
        SessionStore,
        CleanupService,
        SessionsExceptionFilter,
        SessionsHealthIndicator,
        CsrfService,
        CsrfGuard,
        LoggedInGuard,
        SESSIONS_OPTIONS,
      ],
    };
  }

  /**
   * Gives every request of the HTTP adapter its session, ahead of the routes
   * and of the middleware applied through `MiddlewareConsumer` (which may use
   * the session): with the adapter's `use()` on Express (as `app.use()`),
   * through hooks on Fastify.
   */
  configure(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter.getType() === 'fastify') {
      addFastifyHooks(adapter.getInstance<FastifyInstance>(), this.middleware);
    } else {
      adapter.use(
        (
          request: IncomingMessage,
          response: ServerResponse,
          next: () => void,
        ) => this.middleware.use(request, response, next),
      );
    }
  }
}

/**
 * Registers the session entity with the store's TypeORM data source, so
 * that an app with `autoLoadEntities: true` need not list it. Calling
 * `TypeOrmModule.forFeature()` is what registers it; its module is not
 * imported: the stores use the `DataSource`, not a repository, and the
 * repository's unresolved dependency would hide the clear error the store
 * gives when the app has no TypeORM data source.
 */
function registerEntity({
  store,
  entity,
  dataSource,
}: ResolvedStaticOptions): void {
  if (store === 'db' || store === 'cached_db') {
    TypeOrmModule.forFeature([entity], dataSource);
  }
}
