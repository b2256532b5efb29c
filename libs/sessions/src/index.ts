export { SessionsModule } from './sessions.module.js';
export {
  SESSIONS_CLEANUP_JOB,
  SESSIONS_MODULE_OPTIONS,
  SESSIONS_OPTIONS,
} from './sessions.constants.js';
export type {
  SessionCookieOptions,
  SessionCookieSameSite,
  SessionsBehaviourOptions,
  SessionsCleanupMode,
  SessionsCleanupOptions,
  SessionsModuleAsyncOptions,
  SessionsModuleOptions,
  SessionsOptionsFactory,
  SessionsCacheOptions,
  SessionsFileStoreOptions,
  SessionsStaticOptions,
  SessionStoreName,
  SessionStoreOption,
} from './options/sessions-module-options.interface.js';
export type {
  ResolvedSessionCookie,
  ResolvedSessionsOptions,
  ResolvedStaticOptions,
} from './options/resolve-options.js';
export { Session } from './session/session.js';
export type {
  SessionExpiryOptions,
  SessionExpiryValue,
  SessionSettings,
} from './session/session.js';
export { SessionService } from './session/session.service.js';
export {
  generateSessionKey,
  isValidSessionKey,
} from './session/session-key.util.js';
export { SessionStore } from './stores/session.store.js';
export type {
  SessionChanges,
  SessionData,
  SessionExpiry,
  SessionWrite,
} from './stores/session.store.js';
export { TypeOrmSessionStore } from './stores/typeorm-session.store.js';
export { CachedDbSessionStore } from './stores/cached-db-session.store.js';
export type { CachedDbSessionStoreOptions } from './stores/cached-db-session.store.js';
export { CacheSessionStore } from './stores/cache-session.store.js';
export type { CacheSessionStoreOptions } from './stores/cache-session.store.js';
export { FileSessionStore } from './stores/file-session.store.js';
export type { FileSessionStoreOptions } from './stores/file-session.store.js';
export { SignedCookieSessionStore } from './stores/signed-cookie-session.store.js';
export type { SignedCookieSessionStoreOptions } from './stores/signed-cookie-session.store.js';
export { AbstractSessionEntity } from './entities/abstract-session.entity.js';
export { SessionEntity } from './entities/session.entity.js';
export { CreateSessionTable1795305600000 } from './migrations/create-session-table.migration.js';
export { sessionMigrations } from './migrations/session-migrations.js';
export type { ResolvedCleanupOptions } from './options/resolve-cleanup-options.js';
export type {
  ResolvedCacheOptions,
  ResolvedStoreOptions,
} from './options/resolve-store-options.js';
export { CleanupService } from './cleanup/cleanup.service.js';
export type {
  CleanupResult,
  CleanupRunOptions,
  CleanupSkipReason,
} from './cleanup/cleanup-result.interface.js';
export { runClearSessionsCommand } from './cleanup/clear-sessions.command.js';
export type { ClearSessionsOutput } from './cleanup/clear-sessions.command.js';
export { OnSessionsExpired } from './cleanup/on-sessions-expired.decorator.js';
export type { SessionsExpiredEvent } from './cleanup/on-sessions-expired.decorator.js';
export { CurrentSession } from './http/current-session.decorator.js';
export { SessionsError } from './errors/sessions.error.js';
export { SessionsConfigurationError } from './errors/sessions-configuration.error.js';
export { SessionInterruptedError } from './errors/session-interrupted.error.js';
export { SessionStoreError } from './errors/session-store.error.js';
export { SessionDataError } from './errors/session-data.error.js';
export { SessionCacheTimeoutError } from './errors/session-cache-timeout.error.js';
export { SessionCookieTooLargeError } from './errors/session-cookie-too-large.error.js';
export {
  SessionContextError,
  type SessionContextMissing,
} from './errors/session-context.error.js';
export { CleanupConflictError } from './errors/cleanup-conflict.error.js';
