import type { DataSource, EntityMetadata } from 'typeorm';
import type { AbstractUserSessionEntity } from '../entities/abstract-user-session.entity.js';

/** The session table and its columns, quoted for SQL. */
export interface SessionTableNames {
  /** The table, with its schema when the entity names one. */
  readonly table: string;
  readonly key: string;
  readonly data: string;
  readonly expire: string;
  /** The users' columns, when the entity has them (`AbstractUserSessionEntity`). */
  readonly users?: {
    readonly user: string;
    readonly created: string;
    readonly lastSeen: string;
    readonly ip: string;
    readonly userAgent: string;
  };
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
    const column = (property: keyof AbstractUserSessionEntity): string =>
      escape(metadata.findColumnWithPropertyName(property)!.databaseName);
    const hasUsers =
      metadata.findColumnWithPropertyName('authUserId') !== undefined;
    this.names = {
      table: metadata.schema
        ? `${escape(metadata.schema)}.${escape(metadata.tableName)}`
        : escape(metadata.tableName),
      key: column('sessionKey'),
      data: column('sessionData'),
      expire: column('expireDate'),
      users: hasUsers
        ? {
            user: column('authUserId'),
            created: column('createdAt'),
            lastSeen: column('lastSeen'),
            ip: column('ipAddress'),
            userAgent: column('userAgent'),
          }
        : undefined,
    };
  }
}
