import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { sessionKeyFrom } from './support/test-app.js';

const dataDir = resolve(
  join(
    process.env.TEST_DATA_ROOT ?? '.data',
    `nest-sessions-demo-${randomBytes(4).toString('hex')}`,
  ),
);

/** Command lines of the processes that run a PostgreSQL on `dataDir`. */
async function postgresOn(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(
      () => '',
    );
    if (cmdline.includes('postgres') && cmdline.includes(dir)) {
      found.push(cmdline.replaceAll('\0', ' '));
    }
  }
  return found;
}

/** Starts the demo as `npm start` does, without DATABASE_URL; resolves with its URL. */
function startDemo(): Promise<{ child: ChildProcess; url: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    EMBEDDED_POSTGRES_DIR: dataDir,
  };
  delete env.DATABASE_URL;
  const child = spawn(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', 'src/main.ts'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((started, failed) => {
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /nest-sessions demo on (http:\/\/localhost:\d+)\//.exec(
        output,
      );
      if (match) started({ child, url: match[1] });
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code) =>
      failed(new Error(`the demo exited (${code}):\n${output}`)),
    );
  });
}

function exitOf(
  child: ChildProcess,
  signal: NodeJS.Signals,
): Promise<number | null> {
  return new Promise((exited) => {
    child.once('exit', (code) => exited(code));
    child.kill(signal);
  });
}

/** `npm start` with no DATABASE_URL: an embedded PostgreSQL, started and stopped cleanly. */
describe('The demo on its embedded PostgreSQL', () => {
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps sessions across restarts and leaves no postgres running on SIGTERM or SIGINT', async () => {
    const first = await startDemo();
    expect(await postgresOn(dataDir)).toHaveLength(1);
    const created = await request(first.url)
      .get('/set/?name=persisted')
      .expect(200);
    const key = sessionKeyFrom(created.headers)!;
    expect(await exitOf(first.child, 'SIGTERM')).toBe(0);
    expect(await postgresOn(dataDir)).toEqual([]);

    const second = await startDemo();
    await request(second.url)
      .get('/get/')
      .set('Cookie', `sessionid=${key}`)
      .expect(200, { name: 'persisted', message: 'Your name is persisted.' });
    expect(await exitOf(second.child, 'SIGINT')).toBe(0);
    expect(await postgresOn(dataDir)).toEqual([]);
  }, 60_000);
});
