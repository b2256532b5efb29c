import { SessionsError } from './sessions.error.js';

/**
 * A request session was asked for where there is none: outside of an HTTP
 * request (a cron job, bootstrap, a microservice handler), or in an app
 * where `SessionsModule`'s middleware did not run.
 */
export class SessionContextError extends SessionsError {
  constructor() {
    super(
      'There is no request session here. @CurrentSession() and SessionService.current() work ' +
        'while SessionsModule handles an HTTP request (in guards, interceptors, pipes and ' +
        'handlers), with SessionsModule imported in the application module. Elsewhere, use ' +
        'SessionService.load(key) with a known session key.',
    );
  }
}
