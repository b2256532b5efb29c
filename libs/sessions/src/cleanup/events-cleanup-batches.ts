import type { ClientBase } from 'pg';
import type { QueryRunner } from 'typeorm';
import type { AbstractSessionEntity } from '../entities/abstract-session.entity.js';
import { CleanupConflictError } from '../errors/cleanup-conflict.error.js';
import type { SessionTable } from '../stores/session-table.js';
import type {
  CleanupBatch,
  CleanupBatches,
  TransactionIsolation,
} from './cleanup-batches.interface.js';
import {
  type BatchEnd,
  type BatchStart,
  EventsBatchLoader,
  FIRST_BATCH,
} from './events-batch.loader.js';
import { EventsBatchPrefetcher } from './events-batch.prefetcher.js';
import { clientOf } from './query-runner-client.js';
import { fireRemoveEvents } from './remove-events.js';

/** PostgreSQL's SQLSTATE when a row changed after the transaction's snapshot. */
const SERIALIZATION_FAILURE = '40001';

/**
 * `mode: 'events'`: each batch loads at most `batchSize` expired sessions as
 * entities, fires TypeORM's `beforeRemove` entity listeners and subscribers
 * for each, deletes them in one statement, then fires `afterRemove` for each
 * one deleted: the events `remove()` sends, without `remove()`'s reload of
 * every entity and statement per row.
 *
 * A batch runs at REPEATABLE READ: it deletes the index range its sessions
 * span, in the snapshot it loaded them in, so it deletes exactly those, with
 * no row lock to write. A session another transaction changed or deleted
 * after that snapshot makes the DELETE fail (`CleanupConflictError`): the
 * batch is rolled back and done again.
 *
 * While a batch fires its events and deletes, the next ones load on side
 * connections (`EventsBatchPrefetcher`), in snapshots that their batches'
 * transactions adopt: PostgreSQL and Node work at the same time. A batch
 * stops before an instant more sessions share than fit in it, so data with
 * many such ties takes more, shorter batches (see `EventsBatchLoader.fetch`).
 */
export class EventsCleanupBatches implements CleanupBatches {
  readonly isolation: TransactionIsolation = 'REPEATABLE READ';
  private start = FIRST_BATCH;
  private readonly deleteSql: string;
  private readonly survivorsSql: string;

  private constructor(
    private readonly sessionTable: SessionTable,
    private readonly loader: EventsBatchLoader,
    private readonly prefetcher: EventsBatchPrefetcher,
  ) {
    const { table, key, expire } = sessionTable.names;
    // The index range the batch spans; at its last instant, only the
    // sessions loaded (more may expire at that instant than fit in a batch).
    this.deleteSql =
      `DELETE FROM ${table} WHERE ${loader.fromStart} AND ${expire} <= $3::timestamptz ` +
      `AND (${expire} < $3::timestamptz OR ${key} = ANY ($4::text[]))`;
    this.survivorsSql = `SELECT ${key} AS key FROM ${table} WHERE ${key} = ANY ($1::text[])`;
  }

  /** Batches of `sessionTable`, deleted through `runner`. */
  static async open(
    sessionTable: SessionTable,
    batchSize: number,
    runner: QueryRunner,
  ): Promise<EventsCleanupBatches> {
    const loader = await EventsBatchLoader.open(
      sessionTable,
      batchSize,
      clientOf(runner),
    );
    const prefetcher = await EventsBatchPrefetcher.open(
      sessionTable.dataSource,
      loader,
      runner,
    );
    return new EventsCleanupBatches(sessionTable, loader, prefetcher);
  }

  async deleteNext(runner: QueryRunner): Promise<CleanupBatch> {
    const client = clientOf(runner);
    const { start } = this;
    const batch =
      (await this.prefetcher.take(client, start)) ??
      (await this.loader.load(client, start, runner));
    const { sessions, keys: loadedKeys, end, next } = batch;
    if (next !== null) {
      // Unless loading already: the batches after load while this one's
      // events fire and its DELETE runs. Only here may a start that excludes
      // this batch's sessions (`taken`) load: the batch before is committed.
      this.prefetcher.loadFrom(next);
    }
    let keys: string[] = [];
    // Empty when the instant of its bound is shared by more sessions than
    // fit in a batch, and none comes before it.
    if (end !== null) {
      await fireRemoveEvents(
        runner,
        this.sessionTable.metadata,
        sessions,
        'before',
      );
      keys = await this.delete(client, start, end, loadedKeys);
      const gone = keys === loadedKeys ? sessions : only(sessions, keys);
      await fireRemoveEvents(runner, this.sessionTable.metadata, gone, 'after');
    }
    // Only now: a batch that failed is done again from the same start.
    if (next !== null) {
      this.start = next;
    }
    return { done: next === null, deleted: keys.length, keys };
  }

  close(failure?: unknown): Promise<void> {
    return this.prefetcher.close(failure);
  }

  /**
   * Deletes the batch's sessions from `start` to `end`; resolves with the
   * keys deleted: `loadedKeys` itself when all were (the usual case), else
   * those a listener did not keep (by extending them, say).
   */
  private async delete(
    client: ClientBase,
    start: BatchStart,
    end: BatchEnd,
    loadedKeys: string[],
  ): Promise<string[]> {
    let deleted: number;
    try {
      const result = await client.query(this.deleteSql, [
        start.from,
        start.taken,
        end.at,
        end.keys,
      ]);
      deleted = result.rowCount ?? 0;
    } catch (error) {
      if ((error as { code?: unknown }).code === SERIALIZATION_FAILURE) {
        throw new CleanupConflictError(error);
      }
      throw error;
    }
    if (deleted === loadedKeys.length) {
      return loadedKeys;
    }
    const { rows } = await client.query<{ key: string }>(this.survivorsSql, [
      loadedKeys,
    ]);
    const survivors = new Set(rows.map((row) => row.key));
    return loadedKeys.filter((key) => !survivors.has(key));
  }
}

/** The sessions of `keys`. */
function only(
  sessions: AbstractSessionEntity[],
  keys: string[],
): AbstractSessionEntity[] {
  const wanted = new Set(keys);
  return sessions.filter((session) => wanted.has(session.sessionKey));
}
