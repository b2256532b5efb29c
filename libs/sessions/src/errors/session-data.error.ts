import { SessionsError } from './sessions.error.js';

/**
 * A value put in a session cannot be stored as JSON (a `BigInt`, a function,
 * `undefined`, a circular structure...). Thrown when the value is set, so the
 * stack points at the code that set it.
 */
export class SessionDataError extends SessionsError {
  constructor(key: string, reason: string) {
    super(
      `The session value for key ${JSON.stringify(key)} cannot be stored: ${reason}. ` +
        'Session data must be JSON: strings, numbers, booleans, null, arrays and plain objects.',
    );
  }
}
