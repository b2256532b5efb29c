import { type LocalPostgres, startLocalPostgres } from './local-postgres.js';

/** Folder of the demo's embedded PostgreSQL. */
export const demoDataDir =
  process.env.EMBEDDED_POSTGRES_DIR ?? '.data/postgres';

/**
 * The demo's database: `DATABASE_URL`, or the embedded PostgreSQL in
 * `demoDataDir` (started, or the one `npm start` already runs). Sets
 * `DATABASE_URL` for the app's `ConfigService`.
 */
export async function startDemoPostgres(): Promise<LocalPostgres> {
  const database = await startLocalPostgres({
    dataDir: demoDataDir,
    database: 'nest_sessions',
    persistent: true,
  });
  process.env.DATABASE_URL = database.url;
  return database;
}
