import { SessionEntity, sessionMigrations } from 'nest-sessions';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';

/** The demo's TypeORM options: the app's entities and migrations, on `url`. */
export function typeOrmOptions(url: string): PostgresDataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [SessionEntity],
    migrations: [...sessionMigrations],
  };
}
