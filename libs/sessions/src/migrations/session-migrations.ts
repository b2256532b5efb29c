import type { MigrationInterface } from 'typeorm';
import { CreateSessionTable1795305600000 } from './create-session-table.migration.js';

/**
 * The migrations of the `session` table, oldest first. Add them to your
 * `DataSource`'s `migrations` so the TypeORM CLI (or `migrationsRun`)
 * creates and updates the table:
 *
 * ```ts
 * migrations: [...sessionMigrations, 'dist/migrations/*.js']
 * ```
 */
export const sessionMigrations: readonly (new () => MigrationInterface)[] = [
  CreateSessionTable1795305600000,
];
