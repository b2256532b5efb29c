import type { PoolClient } from 'pg';
import type { QueryRunner } from 'typeorm';
import { SESSIONS_MESSAGES } from '../errors/sessions.messages.js';

/**
 * The pg connection a connected TypeORM query runner holds. The cleanup sends
 * its statements there directly, so that neither TypeORM's query logging nor
 * its query subscribers ever see session keys.
 */
export function clientOf(runner: QueryRunner): PoolClient {
  return (runner as unknown as { databaseConnection: PoolClient })
    .databaseConnection;
}

/**
 * Gives the connection back to the pool, or, after `failure`, closes it: a
 * failed run may leave a transaction, a setting or the cleanup lock on it.
 */
export async function releaseRunner(
  runner: QueryRunner,
  failure: unknown,
): Promise<void> {
  if (failure === undefined) {
    await runner.release();
    return;
  }
  // TypeORM's own way to hand pg-pool a connection to destroy.
  const destroying = runner as unknown as {
    releasePostgresConnection(error: Error): Promise<void>;
  };
  await destroying.releasePostgresConnection(
    failure instanceof Error
      ? failure
      : new Error(SESSIONS_MESSAGES.cleanupFailed()),
  );
}
