import type { MigrationInterface } from 'typeorm';
import { AddSessionClients1796601900000 } from './add-session-clients.migration.js';
import { AddSessionUsers1796601600000 } from './add-session-users.migration.js';
import { CreateSessionExpiredOutbox1796515200000 } from './create-session-expired-outbox.migration.js';
import { CreateSessionTable1795305600000 } from './create-session-table.migration.js';
import { WidenSessionKey1796601800000 } from './widen-session-key.migration.js';

/**
 * The migrations of the `session` table (with its users' columns) and of the cleanup's outbox
 * (`session_expired_outbox`, for `@AfterSessionsExpired()`), oldest first. Add them to your
 * `DataSource`'s `migrations` so the TypeORM CLI (or `migrationsRun`)
 * creates and updates the table:
 *
 * ```ts
 * migrations: [...sessionMigrations, 'dist/migrations/*.js']
 * ```
 */
export const sessionMigrations: readonly (new () => MigrationInterface)[] = [
  CreateSessionTable1795305600000,
  CreateSessionExpiredOutbox1796515200000,
  AddSessionUsers1796601600000,
  WidenSessionKey1796601800000,
  AddSessionClients1796601900000,
];
