import type { PoolClient } from 'pg';
import type { QueryRunner } from 'typeorm';
import { SessionsError } from '../errors/sessions.error.js';
import { SESSIONS_MESSAGES } from '../errors/sessions.messages.js';

/** The pg connections of the query runners the cleanup connected. */
const clients = new WeakMap<QueryRunner, PoolClient>();

/**
 * Connects `runner` and keeps the pg connection it holds, which
 * `connect()` resolves with. The cleanup sends its statements there
 * directly, so that neither TypeORM's query logging nor its query
 * subscribers ever see session keys.
 */
export async function connectRunner(runner: QueryRunner): Promise<void> {
  clients.set(runner, (await runner.connect()) as PoolClient);
}

/** The pg connection of a runner connected with `connectRunner()`. */
export function clientOf(runner: QueryRunner): PoolClient {
  const client = clients.get(runner);
  if (client === undefined) {
    throw new SessionsError(SESSIONS_MESSAGES.runnerNotConnected());
  }
  return client;
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
