import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as LocalPostgresModule from '../../src/database/local-postgres.js';
import type { LocalPostgres } from '../../src/database/local-postgres.js';
import type * as RequiredToolsModule from './required-tools.js';

// Jest loads this file as CommonJS, outside of its module mapper, so the
// TypeScript source is named as it is on disk and imported dynamically.
const LOCAL_POSTGRES = '../../src/database/local-postgres.ts';
const REQUIRED_TOOLS = './required-tools.ts';

declare global {
  var localPostgres: LocalPostgres | undefined;
}

/**
 * Starts the PostgreSQL the tests use: the one of DATABASE_URL, else an
 * embedded one in a throwaway folder. Each test file makes its own database
 * on it (test/support/test-database.ts).
 */
export default async function globalSetup(): Promise<void> {
  const { ensureRequiredTools } = (await import(
    REQUIRED_TOOLS
  )) as typeof RequiredToolsModule;
  ensureRequiredTools();
  const { postgresCanReach, startLocalPostgres } = (await import(
    LOCAL_POSTGRES
  )) as typeof LocalPostgresModule;
  // Under .data/ as the demo, unless the checkout sits where PostgreSQL's
  // own user cannot go (a root-only home folder).
  const root = postgresCanReach('.data') ? '.data' : tmpdir();
  process.env.TEST_DATA_ROOT = root;
  const server = await startLocalPostgres({
    dataDir: join(root, `nest-sessions-test-${process.pid}`),
    database: 'postgres',
    persistent: false,
  });
  globalThis.localPostgres = server;
  process.env.TEST_POSTGRES_URL = server.url;
}
