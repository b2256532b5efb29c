import type { ClientBase } from 'pg';

/**
 * The PostgreSQL advisory lock that lets one instance purge a session table
 * at a time. It belongs to the connection that takes it, so it goes away with
 * that connection, even if the process dies mid-run.
 */
export class CleanupLock {
  /** One lock per table (by its OID, so schemas are told apart). */
  private readonly key: string;

  constructor(table: string) {
    this.key = `hashtextextended('nest-sessions cleanup ' || '${table.replaceAll("'", "''")}'::regclass::oid, 0)`;
  }

  /** Takes the lock unless another connection holds it. */
  async tryAcquire(client: ClientBase): Promise<boolean> {
    const { rows } = await client.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(${this.key}) AS locked`,
    );
    return rows[0].locked;
  }

  async release(client: ClientBase): Promise<void> {
    await client.query(`SELECT pg_advisory_unlock(${this.key})`);
  }
}
