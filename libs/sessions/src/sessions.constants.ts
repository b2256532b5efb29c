/** The behaviour options as the app gave them (`forRoot` or the factory). */
export const SESSIONS_MODULE_OPTIONS = 'SESSIONS:MODULE_OPTIONS';

/** The options with defaults filled in and checked (`ResolvedSessionsOptions`). */
export const SESSIONS_OPTIONS = 'SESSIONS:OPTIONS';

/** The one logger context of the library. */
export const SESSIONS_LOGGER_CONTEXT = 'Sessions';

/**
 * Name of the cleanup's cron job in `@nestjs/schedule`'s `SchedulerRegistry`,
 * e.g. to change its time at runtime:
 * `registry.getCronJob(SESSIONS_CLEANUP_JOB).setTime(new CronTime('0 4 * * *'))`.
 */
export const SESSIONS_CLEANUP_JOB = 'SESSIONS:CLEANUP';

/** The longest session lifetime, 100 years: longer ones are mistakes, and overflow date arithmetic. */
export const MAX_EXPIRY_SECONDS = 100 * 365 * 24 * 60 * 60;

/**
 * The session data's keys of a login (`SessionService.login()`), Django's
 * names where it has them: the user's id (which the database stores also
 * keep in the indexed `auth_user_id` column), the hash of their credentials,
 * and where they logged in from.
 */
export const AUTH_KEYS = {
  userId: '_auth_user_id',
  hash: '_auth_user_hash',
  ip: '_auth_ip',
  userAgent: '_auth_user_agent',
} as const;

/** The session key of the CSRF secret, as Django's `CSRF_USE_SESSIONS` names it. */
export const CSRF_SESSION_KEY = '_csrftoken';
