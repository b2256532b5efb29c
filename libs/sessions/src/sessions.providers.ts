import type { Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SessionsConfigurationError } from './errors/sessions-configuration.error.js';
import {
  type ResolvedSessionsOptions,
  type ResolvedStaticOptions,
  resolveSessionsOptions,
} from './options/resolve-options.js';
import type {
  SessionsBehaviourOptions,
  SessionsModuleAsyncOptions,
  SessionsOptionsFactory,
  SessionStoreName,
} from './options/sessions-module-options.interface.js';
import {
  SESSIONS_MODULE_OPTIONS,
  SESSIONS_OPTIONS,
} from './sessions.constants.js';
import { CacheSessionStore } from './stores/cache/cache-session.store.js';
import { CachedDbSessionStore } from './stores/cache/cached-db-session.store.js';
import { FileSessionStore } from './stores/file/file-session.store.js';
import { openSessionCache } from './stores/cache/session-cache.js';
import { SessionStore } from './stores/session.store.js';
import { SignedCookieSessionStore } from './stores/signed-cookies/signed-cookie-session.store.js';
import { TypeOrmSessionStore } from './stores/db/typeorm-session.store.js';
import { SESSIONS_MESSAGES } from './errors/sessions.messages.js';

/** `forRootAsync`'s resolved options: the factory's, with the static ones. */
export function createFactoryOptionsProvider(
  statics: ResolvedStaticOptions,
): Provider {
  return {
    provide: SESSIONS_OPTIONS,
    useFactory: (behaviour: SessionsBehaviourOptions) =>
      resolveSessionsOptions(statics, behaviour, true),
    inject: [SESSIONS_MODULE_OPTIONS],
  };
}

/** The behaviour options of `forRootAsync`: from a factory, a class or an existing provider. */
export function createAsyncOptionsProviders(
  options: SessionsModuleAsyncOptions,
): Provider[] {
  if (options.useFactory) {
    return [
      {
        provide: SESSIONS_MODULE_OPTIONS,
        useFactory: options.useFactory,
        inject: options.inject ?? [],
      },
    ];
  }
  const factoryClass = options.useClass ?? options.useExisting;
  if (!factoryClass) {
    throw new SessionsConfigurationError([
      SESSIONS_MESSAGES.asyncOptionsWithoutFactory(),
    ]);
  }
  const fromFactory: Provider = {
    provide: SESSIONS_MODULE_OPTIONS,
    useFactory: (factory: SessionsOptionsFactory) =>
      factory.createSessionsOptions(),
    inject: [factoryClass],
  };
  return options.useClass
    ? [fromFactory, { provide: options.useClass, useClass: options.useClass }]
    : [fromFactory];
}

/**
 * The `SessionStore` the options name. The `'db'` and `'cached_db'` stores
 * take the app's TypeORM `DataSource`, optionally, so that a missing one is
 * reported in words instead of as an unresolved dependency.
 */
export function createStoreProvider(statics: ResolvedStaticOptions): Provider {
  const { store } = statics;
  if (store instanceof SessionStore) {
    return { provide: SessionStore, useValue: store };
  }
  if (typeof store === 'function') {
    return { provide: SessionStore, useClass: store };
  }
  return {
    provide: SessionStore,
    useFactory: async (
      options: ResolvedSessionsOptions,
      source: DataSource | undefined,
    ) =>
      createNamedStore(store, options, () =>
        databaseStore(store, statics, source, options),
      ),
    inject: [
      SESSIONS_OPTIONS,
      { token: getDataSourceToken(statics.dataSource), optional: true },
    ],
  };
}

/** The store of one of the module's own engines. */
async function createNamedStore(
  name: SessionStoreName,
  options: ResolvedSessionsOptions,
  database: () => TypeOrmSessionStore,
): Promise<SessionStore> {
  switch (name) {
    case 'db':
      return database();
    case 'cached_db': {
      const { cache, owned } = await openSessionCache(options.cache);
      return new CachedDbSessionStore(database(), cache, { ownsCache: owned });
    }
    case 'cache': {
      const { cache, owned } = await openSessionCache(options.cache);
      return new CacheSessionStore(cache, { ownsCache: owned });
    }
    case 'file':
      return new FileSessionStore(options.fileStore);
    case 'signed_cookies':
      return new SignedCookieSessionStore({
        secret: options.secret!,
        fallbackSecrets: options.fallbackSecrets,
        cookieName: options.cookie.name,
      });
  }
}

function databaseStore(
  store: SessionStoreName,
  { entity, dataSource }: ResolvedStaticOptions,
  source: DataSource | undefined,
  { maxLifetime, hashKeys }: ResolvedSessionsOptions,
): TypeOrmSessionStore {
  if (source === undefined) {
    throw new SessionsConfigurationError([
      SESSIONS_MESSAGES.noDataSource(store, dataSource, entity.name),
    ]);
  }
  return new TypeOrmSessionStore(source, entity, { maxLifetime, hashKeys });
}
