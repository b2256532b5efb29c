import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ChildOutput } from './support/child-output.js';
import { TestDatabase } from './support/test-database.js';

const execFileAsync = promisify(execFile);

const ROOT = resolve('.');
/** The files of the scratch app that use the package (copied over Nest's). */
const CONSUMER_FILES = resolve('test/package-consumer');
/** What the app installs beside the tarball: the required peers, nothing else. */
const PEERS = ['@nestjs/typeorm', 'typeorm', 'pg', '@nestjs/schedule'];

/** The environment of a command run in the scratch app: npm's own settings of this run left out. */
function scratchEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(name) && name !== 'INIT_CWD') env[name] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

async function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = scratchEnv(),
): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`,
      { cause: error },
    );
  }
}

/** What the scratch app prints once it listens: its URL. */
const LISTENING = /listening on (http:\/\/\S+)/;

/** The scratch app's server, started; its output tells when it listens. */
function start(app: string, env: NodeJS.ProcessEnv): ChildOutput {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: app,
    env: scratchEnv({ ...env, PORT: '0' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new ChildOutput(child);
}

/**
 * The packed library in a new Nest app outside the repository, as a user
 * installs it: `nest new` (the shape Nest 12's CLI generates: ESM, strict,
 * vitest), the tarball and the required peers only, a strict type-check,
 * then sessions over HTTP, the cleanup, the store contract under vitest,
 * and the error of a store whose optional package is missing.
 */
describe('The packed nest-sessions in a new Nest app', () => {
  let scratch: string;
  let app: string;
  let database: TestDatabase;
  let tarball: string;
  let packedFiles: string[];

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'nest-sessions-consumer-'));
    database = await TestDatabase.create();
    const packed = JSON.parse(
      await run(
        'npm',
        [
          'pack',
          '--json',
          '--workspace',
          'nest-sessions',
          '--pack-destination',
          scratch,
        ],
        ROOT,
        process.env,
      ),
    ) as { filename: string; files: { path: string }[] }[];
    tarball = packed[0].filename;
    packedFiles = packed[0].files.map((file) => file.path);
    await run(
      join(ROOT, 'node_modules/.bin/nest'),
      [
        'new',
        'app',
        '--skip-install',
        '--skip-git',
        '--package-manager',
        'npm',
      ],
      scratch,
    );
    app = join(scratch, 'app');
    for (const file of ['app.controller.spec.ts', 'app.service.ts']) {
      await rm(join(app, 'src', file));
    }
    await rm(join(app, 'test'), { recursive: true });
    for (const file of ['app.module.ts', 'app.controller.ts', 'main.ts']) {
      await copyFile(join(CONSUMER_FILES, file), join(app, 'src', file));
    }
    await run('mkdir', ['-p', join(app, 'test')], app);
    await copyFile(
      join(CONSUMER_FILES, 'session-store.e2e-spec.ts'),
      join(app, 'test', 'session-store.e2e-spec.ts'),
    );
    await run(
      'npm',
      ['install', '--no-audit', '--no-fund', join(scratch, tarball), ...PEERS],
      app,
    );
  }, 600_000);

  afterAll(async () => {
    await database?.drop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('packs the build, its declarations and documents, and nothing else', () => {
    const documents = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        ...documents,
        'dist/index.js',
        'dist/index.d.ts',
        'dist/index.js.map',
        'dist/testing/index.js',
        'dist/testing/index.d.ts',
      ]),
    );
    const unexpected = packedFiles.filter(
      (path) =>
        !documents.includes(path) &&
        !/^dist\/[\w/.-]+\.(js|d\.ts|js\.map)$/.test(path),
    );
    expect(unexpected).toEqual([]);
    expect(packedFiles.filter((path) => path.includes('.spec.'))).toEqual([]);
  });

  it('is an ES module app, strict, that type-checks (its libraries too) and builds', async () => {
    const manifest = JSON.parse(
      await readFile(join(app, 'package.json'), 'utf8'),
    ) as { type?: string };
    const tsconfig = JSON.parse(
      await readFile(join(app, 'tsconfig.json'), 'utf8'),
    ) as { compilerOptions: { strict?: boolean } };
    // What `nest new` generates today; a change of its defaults shows here.
    expect(manifest.type).toBe('module');
    expect(tsconfig.compilerOptions.strict).toBe(true);

    await expect(
      run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'], app),
    ).resolves.toBe('');
    // The package's declarations need no optional package: keyv is not installed.
    await expect(
      run(
        'npx',
        ['tsc', '--noEmit', '-p', 'tsconfig.json', '--skipLibCheck', 'false'],
        app,
      ),
    ).resolves.toBe('');
    await run('npx', ['nest', 'build'], app);
  }, 180_000);

  it('serves sessions: a cookie set and read back, SessionService in a controller, the cleanup', async () => {
    const server = start(app, { DATABASE_URL: database.url });
    try {
      const [, url] = await server.matching(LISTENING);
      const set = await fetch(`${url}/set?value=kept`);
      expect(await set.json()).toEqual({ value: 'kept' });
      const cookie = set.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^sessionid=[a-z0-9]{32}; /);
      const sessionCookie = cookie.split(';')[0];

      const read = await fetch(`${url}/get`, {
        headers: { cookie: sessionCookie },
      });
      expect(await read.json()).toEqual({ value: 'kept' });

      await database.query(
        `UPDATE session SET expire_date = now() - interval '1 hour'`,
      );
      const cleanup = await fetch(`${url}/cleanup`, { method: 'POST' });
      expect(await cleanup.json()).toMatchObject({ deleted: 1, mode: 'raw' });
      expect(await database.sessionCount()).toBe(0);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 60_000);

  it('passes the store contract of nest-sessions/testing under vitest', async () => {
    const output = await run(
      'npx',
      ['vitest', 'run', '--config', 'vitest.config.e2e.ts'],
      app,
      scratchEnv({ DATABASE_URL: database.url }),
    );
    expect(output).toMatch(/Tests\s+\d+ passed/);
  }, 120_000);

  it("says which package to install for the 'cache' store", async () => {
    const server = start(app, {
      DATABASE_URL: database.url,
      SESSION_STORE: 'cache',
    });
    expect(await server.exited).toBe(1);
    expect(server.text).toContain(
      "a session cache in memory needs the package 'keyv', which is not installed: npm install keyv",
    );
  }, 60_000);

  it('can be require()d from CommonJS', async () => {
    const output = await run(
      process.execPath,
      [
        '--no-warnings',
        '-e',
        "const s = require('nest-sessions'); console.log(typeof s.SessionsModule, typeof require('nest-sessions/testing').describeSessionStoreContract)",
      ],
      app,
    );
    expect(output).toBe('function function\n');
  }, 60_000);
});
