import { SESSIONS_MESSAGES } from './sessions.messages.js';
import { SessionsError } from './sessions.error.js';

/**
 * The session store failed (for example, the database went away). The
 * original error is kept as `cause`; the message never holds a session key
 * or session data.
 */
export class SessionStoreError extends SessionsError {
  constructor(operation: string, cause: unknown) {
    super(SESSIONS_MESSAGES.storeFailed(operation, describeCause(cause)), {
      cause: sanitizeCause(cause),
    });
  }
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * Database drivers attach the failed statement's parameters to their errors;
 * those hold session keys and data, so only the message, code and stack of
 * the original error are kept.
 */
function sanitizeCause(cause: unknown): Error {
  if (!(cause instanceof Error)) {
    return new Error(String(cause));
  }
  const clean = new Error(cause.message);
  clean.name = cause.name;
  clean.stack = cause.stack;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') {
    Object.assign(clean, { code });
  }
  return clean;
}
