/**
 * Server-side sessions for NestJS, with the semantics of Django's sessions.
 *
 * The public API: everything an app imports, and nothing else. A change here
 * changes api/nest-sessions.api.md: run `npm run api:update` and review it.
 *
 * @packageDocumentation
 */

// The module and its options.
export { SessionsModule } from './sessions.module.js';
export { SESSIONS_CLEANUP_JOB } from './sessions.constants.js';
export type {
  SessionCookieOptions,
  SessionCookieSameSite,
  SessionsBehaviourOptions,
  SessionsCacheOptions,
  SessionsCleanupMode,
  SessionsCleanupOptions,
  SessionsCsrfOptions,
  SessionsAuthOptions,
  SessionsFileStoreOptions,
  SessionsModuleAsyncOptions,
  SessionsModuleOptions,
  SessionsOptionsFactory,
  SessionsStaticOptions,
  SessionStoreName,
  SessionStoreOption,
} from './options/sessions-module-options.interface.js';

// The request's session.
export { Session } from './session/session.js';
export type {
  SessionExpiryOptions,
  SessionExpiryValue,
} from './session/session.js';
export { SessionService } from './session/session.service.js';
export type { LoginOptions, UserSession } from './session/session.service.js';
export { CurrentSession } from './http/current-session.decorator.js';
export { CurrentUserId } from './http/current-user-id.decorator.js';
export { LoggedInGuard } from './http/logged-in.guard.js';

// Stores.
export { SessionStore } from './stores/session.store.js';
export type {
  SessionChanges,
  SessionData,
  SessionExpiry,
  SessionWrite,
  LoadedSession,
  StoredUserSession,
  UserSessionsFilter,
} from './stores/session.store.js';
export { TypeOrmSessionStore } from './stores/db/typeorm-session.store.js';
export type { TypeOrmSessionStoreOptions } from './stores/db/typeorm-session.store.js';
export { CachedDbSessionStore } from './stores/cache/cached-db-session.store.js';
export type { CachedDbSessionStoreOptions } from './stores/cache/cached-db-session.store.js';
export { CacheSessionStore } from './stores/cache/cache-session.store.js';
export type { CacheSessionStoreOptions } from './stores/cache/cache-session.store.js';
export type { SessionKeyv } from './stores/cache/session-keyv.interface.js';
export { FileSessionStore } from './stores/file/file-session.store.js';
export type { FileSessionStoreOptions } from './stores/file/file-session.store.js';
export { SignedCookieSessionStore } from './stores/signed-cookies/signed-cookie-session.store.js';
export type { SignedCookieSessionStoreOptions } from './stores/signed-cookies/signed-cookie-session.store.js';

// The database.
export { AbstractSessionEntity } from './entities/abstract-session.entity.js';
export { AbstractUserSessionEntity } from './entities/abstract-user-session.entity.js';
export { SessionEntity } from './entities/session.entity.js';
export { sessionMigrations } from './migrations/session-migrations.js';

// Cleanup of expired sessions.
export { CleanupService } from './cleanup/cleanup.service.js';
export type {
  CleanupResult,
  CleanupRunOptions,
  CleanupSkipReason,
} from './cleanup/cleanup-result.interface.js';
export { runClearSessionsCommand } from './cleanup/clear-sessions.command.js';
export type { ClearSessionsOutput } from './cleanup/clear-sessions.command.js';
export { OnSessionsExpired } from './cleanup/on-sessions-expired.decorator.js';
export { AfterSessionsExpired } from './cleanup/after-sessions-expired.decorator.js';
export type { AfterSessionsExpiredEvent } from './cleanup/after-sessions-expired.decorator.js';
export type { SessionsExpiredEvent } from './cleanup/on-sessions-expired.decorator.js';
export type {
  CleanupMetrics,
  CleanupRunRecord,
} from './cleanup/cleanup-metrics.js';

// CSRF tokens in the session.
export { CsrfService } from './csrf/csrf.service.js';
export { CsrfGuard } from './csrf/csrf.guard.js';
export { CsrfExempt } from './csrf/csrf-exempt.decorator.js';

// Health.
export { SessionsHealthIndicator } from './health/sessions-health.indicator.js';
export type {
  SessionsHealthOptions,
  SessionsHealthResult,
} from './health/sessions-health.indicator.js';

// Errors, and their answer to HTTP requests.
export { SessionsExceptionFilter } from './http/sessions-exception.filter.js';
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
export { CsrfError } from './errors/csrf.error.js';
export { UserSessionsUnsupportedError } from './errors/user-sessions-unsupported.error.js';
export { LoginRequiredError } from './errors/login-required.error.js';
