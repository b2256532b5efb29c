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
