import { SESSIONS_MESSAGES } from './sessions.messages.js';
import { SessionsError } from './sessions.error.js';

/**
 * A cleanup batch in `'events'` mode found that another transaction changed
 * or deleted one of its sessions after the batch loaded them (PostgreSQL's
 * serialization failure, kept as `cause`). The batch is rolled back and done
 * again; this error reaches `run()` only when that keeps happening.
 */
export class CleanupConflictError extends SessionsError {
  constructor(cause: unknown) {
    super(SESSIONS_MESSAGES.cleanupConflict(), { cause });
  }
}
