import { SessionEntity, sessionMigrations } from 'nest-sessions';
import type { DataSourceOptions } from 'typeorm';

/** TypeORM's options for PostgreSQL, from its public types. */
type PostgresDataSourceOptions = Extract<
  DataSourceOptions,
  { type: 'postgres' }
>;

/** The demo's TypeORM options: the app's entities and migrations, on `url`. */
export function typeOrmOptions(url: string): PostgresDataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [SessionEntity],
    migrations: [...sessionMigrations],
  };
}
