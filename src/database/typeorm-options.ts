import { SessionEntity, sessionMigrations } from 'nest-sessions';
import type { DataSourceOptions } from 'typeorm';
import { Note } from '../notes/note.entity.js';
import { Upload } from '../uploads/upload.entity.js';
import { User } from '../users/user.entity.js';
import { CreateUsers1796601700000 } from './migrations/create-users.migration.js';
import { CreateVisitorData1796515300000 } from './migrations/create-visitor-data.migration.js';

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
    entities: [SessionEntity, Note, Upload, User],
    migrations: [
      ...sessionMigrations,
      CreateVisitorData1796515300000,
      CreateUsers1796601700000,
    ],
  };
}
