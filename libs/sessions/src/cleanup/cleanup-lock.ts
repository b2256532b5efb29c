import type { QueryRunner } from 'typeorm';

/**
 * The PostgreSQL advisory lock that lets one instance purge a session table
 * at a time. It belongs to the connection of `runner`, so it is released when
 * that connection ends, even if the process dies mid-run.
 */
export class CleanupLock {
  /** One lock per table, so apps with separate tables do not wait on each other. */
  private readonly name: string;

  constructor(table: string) {
    this.name = `nest-sessions cleanup of ${table}`;
  }

  /** Takes the lock unless another connection holds it. */
  async tryAcquire(runner: QueryRunner): Promise<boolean> {
    const [row] = (await runner.query(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
      [this.name],
    )) as { locked: boolean }[];
    return row.locked;
  }

  async release(runner: QueryRunner): Promise<void> {
    await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [
      this.name,
    ]);
  }
}
