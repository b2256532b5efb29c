import type { DataSource, EntityMetadata } from 'typeorm';
import type { AbstractSessionEntity } from '../entities/abstract-session.entity.js';

/** The session table and its columns, quoted for SQL. */
export interface SessionTableNames {
  /** The table, with its schema when the entity names one. */
  readonly table: string;
  readonly key: string;
  readonly data: string;
  readonly expire: string;
}

/**
 * The database table a store keeps its sessions in (`SessionStore`'s
 * `sessionTable`): its data source, its entity's metadata and its quoted
 * names. `CleanupService` purges it in batches, under its lock and with its
 * entity's events, where other stores purge with `clearExpired()`.
 */
export class SessionTable {
  readonly names: SessionTableNames;

  constructor(
    readonly dataSource: DataSource,
    readonly metadata: EntityMetadata,
  ) {
    const escape = (name: string): string => dataSource.driver.escape(name);
    const column = (property: keyof AbstractSessionEntity): string =>
      escape(metadata.findColumnWithPropertyName(property)!.databaseName);
    this.names = {
      table: metadata.schema
        ? `${escape(metadata.schema)}.${escape(metadata.tableName)}`
        : escape(metadata.tableName),
      key: column('sessionKey'),
      data: column('sessionData'),
      expire: column('expireDate'),
    };
  }
}
