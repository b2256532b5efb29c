import type { QueryRunner } from 'typeorm';
import { SessionsError } from '../errors/sessions.error.js';
import { SESSIONS_MESSAGES } from '../errors/sessions.messages.js';
import type { SessionTable } from '../stores/session-table.js';
import { clientOf } from './query-runner-client.js';

/** The outbox's table, beside the session table (in its schema). */
export const OUTBOX_TABLE = 'session_expired_outbox';

/** PostgreSQL's code for a table that does not exist. */
const UNDEFINED_TABLE = '42P01';

/** Keys of one committed batch whose `@AfterSessionsExpired()` work is not done yet. */
export interface OutboxEntry {
  readonly id: string;
  readonly keys: readonly string[];
}

/**
 * The keys of committed cleanup batches whose after-commit work is still to
 * do: written in the batch's transaction, so that they commit with the
 * deletion, and removed once every `@AfterSessionsExpired()` method has
 * returned. What a crash or a failing handler leaves here, the next run
 * does first. Only the run holding the cleanup lock reads or writes it.
 */
export class ExpiredKeysOutbox {
  private readonly table: string;

  constructor({ dataSource, metadata }: SessionTable) {
    const escape = (name: string): string => dataSource.driver.escape(name);
    this.table = metadata.schema
      ? `${escape(metadata.schema)}.${escape(OUTBOX_TABLE)}`
      : escape(OUTBOX_TABLE);
  }

  /** Writes a batch's keys, inside the batch's transaction; gives the entry's id. */
  async add(runner: QueryRunner, keys: readonly string[]): Promise<string> {
    const { rows } = await clientOf(runner).query<{ id: string }>(
      `INSERT INTO ${this.table} (session_keys) VALUES ($1) RETURNING id::text AS id`,
      [keys],
    );
    return rows[0].id;
  }

  /** The after-commit work of entry `id` is done. */
  async remove(runner: QueryRunner, id: string): Promise<void> {
    await clientOf(runner).query(`DELETE FROM ${this.table} WHERE id = $1`, [
      id,
    ]);
  }

  /** The oldest entry after `afterId` (all when null), or undefined when none is left. */
  async next(
    runner: QueryRunner,
    afterId: string | null,
  ): Promise<OutboxEntry | undefined> {
    try {
      const { rows } = await clientOf(runner).query<{
        id: string;
        session_keys: string[];
      }>(
        `SELECT id::text AS id, session_keys FROM ${this.table} ` +
          `WHERE id > $1 ORDER BY id LIMIT 1`,
        [afterId ?? '0'],
      );
      return rows[0] && { id: rows[0].id, keys: rows[0].session_keys };
    } catch (error) {
      if ((error as { code?: unknown }).code === UNDEFINED_TABLE) {
        throw new SessionsError(SESSIONS_MESSAGES.outboxMissing(this.table));
      }
      throw error;
    }
  }
}
