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

/** The quoted names of the table and columns that `metadata` maps. */
export function sessionTableNames(
  dataSource: DataSource,
  metadata: EntityMetadata,
): SessionTableNames {
  const escape = (name: string): string => dataSource.driver.escape(name);
  const column = (property: keyof AbstractSessionEntity): string =>
    escape(metadata.findColumnWithPropertyName(property)!.databaseName);
  return {
    table: metadata.schema
      ? `${escape(metadata.schema)}.${escape(metadata.tableName)}`
      : escape(metadata.tableName),
    key: column('sessionKey'),
    data: column('sessionData'),
    expire: column('expireDate'),
  };
}
