import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import request from 'supertest';
import { seedSessions } from './support/cleanup-testing.js';
import { ChildOutput } from './support/child-output.js';
import { postgresOn } from './support/postgres-processes.js';
import { sessionKeyFrom } from './support/test-app.js';
import { waitForLockWait } from './support/lock-wait.js';
import { TestDatabase } from './support/test-database.js';

const run = promisify(execFile);

/** The npm that runs this test (`npm test`), else the one on PATH. */
const NPM = process.env.npm_execpath;

const dataDir = resolve(
  join(
    process.env.TEST_DATA_ROOT ?? '.data',
    `nest-sessions-demo-${randomBytes(4).toString('hex')}`,
  ),
);

/** Whether a process `pid` is alive (a zombie is not). */
async function alive(pid: number): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return status !== '' && !/^State:\s+Z/m.test(status);
}

/** `npm <args>`, by the npm that runs the tests (else the one on PATH). */
function npm(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const command = NPM ? process.execPath : 'npm';
  const argv = NPM ? [NPM, ...args] : args;
  return spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The environment of the demo's scripts on its embedded PostgreSQL in `dataDir`. */
function embeddedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EMBEDDED_POSTGRES_DIR: dataDir,
    ...extra,
  };
  delete env.DATABASE_URL;
  return env;
}

/** The demo, started with `npm start` without DATABASE_URL; with its URL and node's pid. */
async function startDemo(): Promise<{
  npm: ChildProcess;
  url: string;
  nodePid: number;
}> {
  // The build is made once, in beforeAll.
  const child = npm(['start', '--ignore-scripts'], embeddedEnv({ PORT: '0' }));
  const [, pid, url] = await new ChildOutput(child).matching(
    /\[Nest\] (\d+)[\s\S]*nest-sessions demo on (http:\/\/[^/\s]+)\//,
  );
  return { npm: child, url, nodePid: Number(pid) };
}

/** Sends `signal` to the npm process; resolves with npm's exit code once it has exited. */
function stopNpm(
  child: ChildProcess,
  signal: NodeJS.Signals,
): Promise<number | null> {
  return new Promise((exited) => {
    child.once('exit', (code) => exited(code));
    child.kill(signal);
  });
}

/**
 * The demo's npm scripts, as `docker stop`, systemd, pm2 or CI use them:
 * a signal sent to the npm process reaches the app, and nothing is left
 * running.
 */
describe('npm start and npm run clearsessions (the demo)', () => {
  beforeAll(async () => {
    // What `prestart` does; the library is built by `pretest` already.
    await run('node_modules/.bin/nest', ['build']);
  }, 60_000);

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps sessions across restarts, and stops node and its PostgreSQL on SIGTERM or SIGINT to npm', async () => {
    const first = await startDemo();
    expect(await postgresOn(dataDir)).toHaveLength(1);
    const created = await request(first.url)
      .get('/set/?name=persisted')
      .expect(200);
    const key = sessionKeyFrom(created.headers)!;
    expect(await stopNpm(first.npm, 'SIGTERM')).toBe(0);
    // npm waits for its script to end: by now node and PostgreSQL are gone.
    expect(await alive(first.nodePid)).toBe(false);
    expect(await postgresOn(dataDir)).toEqual([]);

    const second = await startDemo();
    await request(second.url)
      .get('/get/')
      .set('Cookie', `sessionid=${key}`)
      .expect(200, { name: 'persisted', message: 'Your name is persisted.' });
    expect(await stopNpm(second.npm, 'SIGINT')).toBe(0);
    expect(await alive(second.nodePid)).toBe(false);
    expect(await postgresOn(dataDir)).toEqual([]);
  }, 60_000);

  it('npm run clearsessions rebuilds without deleting the build of a running demo', async () => {
    const demo = await startDemo();
    // A file of no build: a build that empties the folder first removes it.
    const sentinel = join('dist', `sentinel-${process.pid}`);
    await writeFile(sentinel, '');

    const clear = new ChildOutput(npm(['run', 'clearsessions'], embeddedEnv()));
    await clear.matching(/Deleted \d+ expired sessions? in/);
    expect(await clear.exited).toBe(0);

    // The build was rewritten in place, not emptied first.
    await expect(stat(sentinel)).resolves.toBeDefined();
    await rm(sentinel);
    await request(demo.url).get('/counter/').expect(200);
    expect(await stopNpm(demo.npm, 'SIGTERM')).toBe(0);
    expect(await postgresOn(dataDir)).toEqual([]);
  }, 90_000);

  it('stops a clearsessions that waits on a locked row on SIGTERM to npm', async () => {
    const database = await TestDatabase.create();
    const [locked] = await seedSessions(database, 'gone', 1, '-1 hour');
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(
        'SELECT 1 FROM session WHERE session_key = $1 FOR UPDATE',
        [locked],
      );
      const clear = npm(['run', 'clearsessions', '--ignore-scripts'], {
        ...process.env,
        DATABASE_URL: database.url,
      });
      // The cleanup's DELETE waits for the row: clearsessions is running.
      await waitForLockWait(database, 'DELETE');
      const pids = await descendantsOf(clear.pid!);
      await stopNpm(clear, 'SIGTERM');

      for (const pid of pids) {
        expect(await alive(pid)).toBe(false);
      }
      expect(pids).not.toEqual([]);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
      await database.drop();
    }
  }, 60_000);
});

/** The pids of `pid`'s child processes, their children, and so on. */
async function descendantsOf(pid: number): Promise<number[]> {
  const { stdout } = await run('ps', ['-e', '-o', 'pid=,ppid=']);
  const children = new Map<number, number[]>();
  for (const line of stdout.trim().split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  for (let next = [pid]; next.length > 0;) {
    next = next.flatMap((parent) => children.get(parent) ?? []);
    found.push(...next);
  }
  return found;
}
