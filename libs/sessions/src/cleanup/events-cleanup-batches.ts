import type { EntityMetadata, QueryRunner } from 'typeorm';
import { BroadcasterResult } from 'typeorm/subscriber/BroadcasterResult.js';
import type { AbstractSessionEntity } from '../entities/abstract-session.entity.js';
import type { TypeOrmSessionStore } from '../stores/typeorm-session.store.js';
import type {
  CleanupBatch,
  CleanupBatches,
} from './cleanup-batches.interface.js';
import { clientOf } from './query-runner-client.util.js';

/** A loaded row: the entity's columns and its exact expiry, as ISO 8601 text. */
type LoadedRow = Record<string, unknown> & { _expiry: string };

/**
 * `mode: 'events'`: each batch loads the next `batchSize` expired sessions,
 * locked, along the `expire_date` index, as entities; fires TypeORM's
 * `beforeRemove` entity listeners and subscribers for each; deletes them in
 * one statement; then fires `afterRemove` for each one deleted.
 *
 * The events go through the query runner's broadcaster, as `remove()` sends
 * them, without `remove()`'s reload of every entity and statement per row.
 */
export class EventsCleanupBatches implements CleanupBatches {
  private cursor = '-infinity';
  private readonly loadSql: string;
  private readonly deleteSql: string;

  constructor(
    private readonly store: TypeOrmSessionStore,
    private readonly batchSize: number,
  ) {
    const { table, key, expire } = store.table;
    const escape = (name: string): string =>
      store.dataSource.driver.escape(name);
    const columns = store.metadata.columns
      .filter((column) => !column.isVirtualProperty)
      .map((column) => escape(column.databaseName))
      .join(', ');
    this.loadSql =
      `SELECT ${columns}, to_json(${expire}) #>> '{}' AS _expiry FROM ${table} ` +
      `WHERE ${expire} >= $1::timestamptz AND ${expire} < now() ` +
      `ORDER BY ${expire} LIMIT $2 FOR UPDATE`;
    // By key, not address: a listener that updated a row moved it.
    this.deleteSql =
      `DELETE FROM ${table} WHERE ${key} = ANY ($1::text[]) AND ${expire} < now() ` +
      `RETURNING ${key} AS key`;
  }

  async deleteNext(runner: QueryRunner): Promise<CleanupBatch> {
    const client = clientOf(runner);
    const { rows } = await client.query<LoadedRow>(this.loadSql, [
      this.cursor,
      this.batchSize,
    ]);
    if (rows.length === 0) {
      return { done: true, deleted: 0, keys: [] };
    }
    this.cursor = rows[rows.length - 1]._expiry;
    const { metadata } = this.store;
    const sessions = rows.map((row) => hydrate(runner, metadata, row));

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

    const deleted = await client.query<{ key: string }>(this.deleteSql, [
      sessions.map((session) => session.sessionKey),
    ]);
    const keys = deleted.rows.map((row) => row.key);
    const gone = new Set(keys);

    const after = new BroadcasterResult();
    for (const session of sessions) {
      if (gone.has(session.sessionKey)) {
        runner.broadcaster.broadcastAfterRemoveEvent(
          after,
          metadata,
          session,
          session,
        );
      }
    }
    await after.wait();
    return { done: rows.length < this.batchSize, deleted: keys.length, keys };
  }
}

/** The entity of a row, its values converted as TypeORM does when it loads. */
function hydrate(
  runner: QueryRunner,
  metadata: EntityMetadata,
  row: Record<string, unknown>,
): AbstractSessionEntity {
  const entity = metadata.create(runner) as AbstractSessionEntity;
  for (const column of metadata.columns) {
    if (column.isVirtualProperty) {
      continue;
    }
    column.setEntityValue(
      entity,
      runner.dataSource.driver.prepareHydratedValue(
        row[column.databaseName],
        column,
      ),
    );
  }
  return entity;
}
