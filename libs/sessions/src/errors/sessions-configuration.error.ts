import { SESSIONS_MESSAGES } from './sessions.messages.js';
import { SessionsError } from './sessions.error.js';

/**
 * A mistake in how `SessionsModule` is set up: invalid options, or something
 * the chosen store needs that the app did not provide. Thrown at bootstrap.
 */
export class SessionsConfigurationError extends SessionsError {
  /** Every problem found, one sentence each. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(SessionsConfigurationError.describe(problems));
    this.problems = problems;
  }

  private static describe(problems: readonly string[]): string {
    return SESSIONS_MESSAGES.misconfigured(problems);
  }
}
