import { parseArgs } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import {
  isBatchSize,
  isCleanupMode,
  MAX_CLEANUP_BATCH_SIZE,
} from '../options/resolve-cleanup-options.js';
import type { CleanupResult } from './cleanup-result.interface.js';
import { CleanupService } from './cleanup.service.js';
import { SessionsError } from '../errors/sessions.error.js';
import { SESSIONS_MESSAGES } from '../errors/sessions.messages.js';

/** Where `runClearSessionsCommand` prints. */
export interface ClearSessionsOutput {
  /** The outcome and the usage asked for (stdout). */
  out(line: string): void;
  /** Failures and bad usage (stderr). */
  err(line: string): void;
}

const USAGE = `Usage: clearsessions [--dry-run] [--mode raw|events] [--batch-size N]

Deletes the expired sessions once, as the nightly cleanup does.
  --dry-run         only count the expired sessions
  --mode            'raw' (no entity events) or 'events'; default: the app's cleanup.mode
  --batch-size N    sessions per statement; default: the app's cleanup.batchSize`;

const EXPIRES_BY_ITSELF =
  "Nothing to delete: the session store's sessions expire by themselves.";

const consoleOutput: ClearSessionsOutput = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

/**
 * Django's `clearsessions` for any app: parses `argv`, creates the app's
 * context with `createContext` (no HTTP server), runs one cleanup (or, with
 * `--dry-run`, counts the expired sessions), prints the outcome and closes
 * the context. Resolves with the exit code: 0 done, 1 failed, 2 bad usage.
 * On SIGINT or SIGTERM meanwhile, it closes the context: the run stops
 * after the batch it is on (committed), says so, and resolves with 0.
 *
 * ```ts
 * // src/clearsessions.ts
 * process.exitCode = await runClearSessionsCommand(() =>
 *   NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] }),
 * );
 * ```
 */
export async function runClearSessionsCommand(
  createContext: () => Promise<INestApplicationContext>,
  argv: readonly string[] = process.argv.slice(2),
  output: ClearSessionsOutput = consoleOutput,
): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(argv);
  } catch (error) {
    output.err(`clearsessions: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    output.out(USAGE);
    return 0;
  }
  let app: INestApplicationContext | undefined;
  let stopOnSignal: (() => void) | undefined;
  try {
    app = await createContext();
    stopOnSignal = closeOnSignals(app, output);
    const cleanup = app.get(CleanupService);
    if (options.dryRun && !cleanup.hasExpiredToPurge) {
      output.out(EXPIRES_BY_ITSELF);
    } else if (options.dryRun) {
      const expired = await cleanup.countExpired();
      output.out(
        expired === undefined
          ? 'The session store cannot count its expired sessions without deleting them; nothing was deleted (dry run).'
          : `${sessions(expired)} expired; nothing was deleted (dry run).`,
      );
    } else {
      const result = await cleanup.run(options.run);
      output.out(describe(result));
      if (result.afterCommitFailures > 0) {
        // The sessions are gone, but work of the app's is not done yet.
        output.err(
          `clearsessions: @AfterSessionsExpired() failed for ${result.afterCommitFailures} ` +
            `${result.afterCommitFailures === 1 ? 'batch' : 'batches'} (see the log above); ` +
            'their keys stay in the outbox, and the next run tries again.',
        );
        return 1;
      }
    }
    return 0;
  } catch (error) {
    output.err(
      `clearsessions failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  } finally {
    stopOnSignal?.();
    await app?.close();
  }
}

/**
 * Closes `app` on SIGINT or SIGTERM, which stops a cleanup run after its
 * batch; returns what removes the listeners.
 */
function closeOnSignals(
  app: INestApplicationContext,
  output: ClearSessionsOutput,
): () => void {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const close = (signal: NodeJS.Signals) => {
    output.err(
      `clearsessions: ${signal}: stopping after the batch in progress.`,
    );
    void app.close();
  };
  for (const signal of signals) {
    process.on(signal, close);
  }
  return () => {
    for (const signal of signals) {
      process.off(signal, close);
    }
  };
}

function parseOptions(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'dry-run': { type: 'boolean', default: false },
      mode: { type: 'string' },
      'batch-size': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const mode = values.mode;
  if (mode !== undefined && !isCleanupMode(mode)) {
    throw new SessionsError(SESSIONS_MESSAGES.commandMode(mode));
  }
  const batchSize = values['batch-size'];
  if (batchSize !== undefined && !isBatchSize(Number(batchSize))) {
    throw new SessionsError(
      SESSIONS_MESSAGES.commandBatchSize(MAX_CLEANUP_BATCH_SIZE, batchSize),
    );
  }
  return {
    help: values.help,
    dryRun: values['dry-run'],
    run: {
      mode,
      batchSize: batchSize === undefined ? undefined : Number(batchSize),
    },
  };
}

function describe(result: CleanupResult): string {
  switch (result.skipped) {
    case 'locked':
      return 'Nothing deleted: another instance is purging expired sessions right now.';
    case 'already-running':
      return 'Nothing deleted: a cleanup is already running in this app.';
    case 'expires-by-itself':
      return EXPIRES_BY_ITSELF;
    case 'shutting-down':
      return 'Nothing deleted: the app is shutting down.';
    case null: {
      const batches = result.batches === 1 ? 'batch' : 'batches';
      return (
        `Deleted ${result.deleted} expired ${result.deleted === 1 ? 'session' : 'sessions'} ` +
        `in ${result.batches} ${batches} (${result.mode} mode, ${result.durationMs} ms)` +
        (result.afterCommitRecovered > 0
          ? `; finished the after-commit work of ${result.afterCommitRecovered} earlier ` +
            `${result.afterCommitRecovered === 1 ? 'batch' : 'batches'}`
          : '') +
        (result.stoppedEarly
          ? '; stopped early when asked to stop: the sessions left stay for the next run.'
          : '.')
      );
    }
  }
}

function sessions(count: number): string {
  return count === 1 ? '1 session is' : `${count} sessions are`;
}
