import { spawn } from 'node:child_process';
import type { TestDatabase } from './test-database.js';

/** How `clearsessions` ended. */
export interface ClearsessionsOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the demo's `clearsessions` on `database`, as `npm run clearsessions`
 * does (from the sources), with `env` beside the test's environment.
 */
export function clearsessions(
  database: TestDatabase,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<ClearsessionsOutcome> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      '@swc-node/register/esm-register',
      'src/clearsessions.ts',
      ...args,
    ],
    {
      env: { ...process.env, ...env, DATABASE_URL: database.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) =>
    child.once('close', (code) => done({ code, stdout, stderr })),
  );
}
