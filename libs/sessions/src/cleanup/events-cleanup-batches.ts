import type { PoolClient } from 'pg';
import type { QueryRunner } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { BroadcasterResult } from 'typeorm/subscriber/BroadcasterResult.js';
import type { AbstractSessionEntity } from '../entities/abstract-session.entity.js';
import type { TypeOrmSessionStore } from '../stores/typeorm-session.store.js';
import type {
  CleanupBatch,
  CleanupBatches,
} from './cleanup-batches.interface.js';
import { clientOf } from './query-runner-client.util.js';

/** A loaded row: the entity's columns, in `columns` order, then its address. */
type LoadedRow = unknown[];

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
  /** The columns loaded, in the order of the SELECT. */
  private readonly columns: ColumnMetadata[];
  private readonly expireIndex: number;
  private readonly loadSql: string;
  private readonly deleteByAddressSql: string;
  private readonly deleteByKeySql: string;

  constructor(
    private readonly store: TypeOrmSessionStore,
    private readonly batchSize: number,
  ) {
    const { table, key, expire } = store.table;
    const escape = (name: string): string =>
      store.dataSource.driver.escape(name);
    this.columns = store.metadata.columns.filter(
      (column) => !column.isVirtualProperty,
    );
    this.expireIndex = this.columns.findIndex(
      (column) => column.propertyName === 'expireDate',
    );
    // The expiry comes as exact ISO 8601 text: it is the next batch's cursor,
    // and TypeORM makes a Date of it faster than pg parses its own format.
    const columns = this.columns
      .map((column, index) =>
        index === this.expireIndex
          ? `to_json(s.${expire}) #>> '{}'`
          : `s.${escape(column.databaseName)}`,
      )
      .join(', ');
    // Qualified: in ORDER BY, a bare name would be the text output column.
    this.loadSql =
      `SELECT ${columns}, ctid::text FROM ${table} AS s ` +
      `WHERE s.${expire} >= $1::timestamptz AND s.${expire} < now() ` +
      `ORDER BY s.${expire} LIMIT $2 FOR UPDATE`;
    // The rows are locked, so their addresses hold, unless a listener
    // updated one (in this transaction): those go by key, afterwards.
    this.deleteByAddressSql =
      `DELETE FROM ${table} WHERE ctid = ANY ($1::tid[]) AND ${expire} < now() ` +
      `RETURNING ${key} AS key`;
    this.deleteByKeySql =
      `DELETE FROM ${table} WHERE ${key} = ANY ($1::text[]) AND ${expire} < now() ` +
      `RETURNING ${key} AS key`;
  }

  async deleteNext(runner: QueryRunner): Promise<CleanupBatch> {
    const client = clientOf(runner);
    const { rows } = await client.query<LoadedRow>({
      text: this.loadSql,
      values: [this.cursor, this.batchSize],
      rowMode: 'array',
    });
    if (rows.length === 0) {
      return { done: true, deleted: 0, keys: [] };
    }
    this.cursor = rows[rows.length - 1][this.expireIndex] as string;
    const sessions = rows.map((row) => this.hydrate(runner, row));
    const { metadata } = this.store;

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

    const keys = await this.deleteLoaded(client, rows, sessions);
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

  /** Nothing of their own: everything goes through the run's connection. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** The entity of a row, its values converted as TypeORM does when it loads. */
  private hydrate(runner: QueryRunner, row: LoadedRow): AbstractSessionEntity {
    const entity = this.store.metadata.create(runner) as AbstractSessionEntity;
    const { driver } = runner.dataSource;
    this.columns.forEach((column, index) =>
      column.setEntityValue(
        entity,
        driver.prepareHydratedValue(row[index], column),
      ),
    );
    return entity;
  }

  /** Deletes the loaded rows still expired; resolves with their keys. */
  private async deleteLoaded(
    client: PoolClient,
    rows: LoadedRow[],
    sessions: AbstractSessionEntity[],
  ): Promise<string[]> {
    const byAddress = await client.query<{ key: string }>(
      this.deleteByAddressSql,
      [rows.map((row) => row[this.columns.length])],
    );
    const keys = byAddress.rows.map((row) => row.key);
    if (keys.length === sessions.length) {
      return keys;
    }
    const deleted = new Set(keys);
    const moved = sessions
      .map((session) => session.sessionKey)
      .filter((key) => !deleted.has(key));
    const byKey = await client.query<{ key: string }>(this.deleteByKeySql, [
      moved,
    ]);
    return [...keys, ...byKey.rows.map((row) => row.key)];
  }
}
