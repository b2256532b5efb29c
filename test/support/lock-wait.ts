import type { TestDatabase } from './test-database.js';

/**
 * Resolves once a statement on `database` (one starting with `statement`,
 * if given) waits for a lock. PostgreSQL signals no one when a statement
 * starts to wait, so its activity view is read again at once until it shows
 * the wait, as PostgreSQL's own isolation tests do: no fixed delay, and a
 * deadline (`withinMs`) so that a wait that never comes fails the test.
 */
export async function waitForLockWait(
  database: TestDatabase,
  statement = '',
  withinMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    const waiting = await database.query(
      `SELECT 1 FROM pg_stat_activity
       WHERE datname = $1 AND wait_event_type = 'Lock' AND query ILIKE $2`,
      [database.name, `${statement}%`],
    );
    if (waiting.length > 0) {
      return;
    }
  }
  throw new Error(
    `no ${statement || 'statement'} on ${database.name} waited for a lock within ${withinMs} ms`,
  );
}
