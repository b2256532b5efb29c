import type { PoolClient } from 'pg';
import type { QueryRunner } from 'typeorm';
import { BroadcasterResult } from 'typeorm/subscriber/BroadcasterResult.js';
import type { AbstractSessionEntity } from '../entities/abstract-session.entity.js';
import type { TypeOrmSessionStore } from '../stores/typeorm-session.store.js';
import type {
  CleanupBatch,
  CleanupBatches,
} from './cleanup-batches.interface.js';

/**
 * `mode: 'events'`: each batch loads the next `batchSize` expired sessions as
 * entities (locked, along the `expire_date` index), fires TypeORM's
 * `beforeRemove` listeners and subscribers for each, deletes them in one
 * statement, then fires `afterRemove` for each one deleted.
 *
 * It broadcasts the events through the query runner as `remove()` does, but
 * without `remove()`'s reload of every entity and its statement per row.
 */
export class EventsCleanupBatches implements CleanupBatches {
  private cursor: Date | string = '-infinity';
  private readonly deleteSql: string;

  constructor(
    private readonly store: TypeOrmSessionStore,
    private readonly batchSize: number,
  ) {
    const { table, key, expire } = store.table;
    this.deleteSql =
      `DELETE FROM ${table} WHERE ${key} = ANY($1::text[]) AND ${expire} < now() ` +
      `RETURNING ${key} AS key`;
  }

  async deleteNext(runner: QueryRunner): Promise<CleanupBatch> {
    const { metadata } = this.store;
    const sessions = await runner.manager
      .createQueryBuilder<AbstractSessionEntity>(metadata.target, 'session')
      .where('session.expireDate < now()')
      .andWhere('session.expireDate >= :cursor', { cursor: this.cursor })
      .orderBy('session.expireDate', 'ASC')
      .limit(this.batchSize)
      .setLock('pessimistic_write')
      .getMany();
    if (sessions.length === 0) {
      return { candidates: 0, deleted: 0, keys: [] };
    }
    // Millisecond precision is enough: `>=` re-reads at most the few rows
    // within the same millisecond, already gone.
    this.cursor = sessions[sessions.length - 1].expireDate;

    const before = new BroadcasterResult();
    for (const session of sessions) {
      runner.broadcaster.broadcastBeforeRemoveEvent(
        before,
        metadata,
        session,
        session,
      );
    }
    await before.wait();

    // The pg client itself, so that TypeORM's query logging never prints keys.
    const client = (runner as unknown as { databaseConnection: PoolClient })
      .databaseConnection;
    const { rows } = await client.query<{ key: string }>(this.deleteSql, [
      sessions.map((session) => session.sessionKey),
    ]);
    const deleted = new Set(rows.map((row) => row.key));

    const after = new BroadcasterResult();
    for (const session of sessions) {
      if (deleted.has(session.sessionKey)) {
        runner.broadcaster.broadcastAfterRemoveEvent(
          after,
          metadata,
          session,
          session,
        );
      }
    }
    await after.wait();
    return {
      candidates: sessions.length,
      deleted: deleted.size,
      keys: [...deleted],
    };
  }
}
