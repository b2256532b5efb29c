import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How long a starting server may take to be ready. */
const START_TIMEOUT_MS = 10_000;

/**
 * What redis-server logs (at the `notice` level) once it has loaded its
 * data and accepts connections.
 */
const READY = /Ready to accept connections/;

/** Servers running in this process, killed if it exits without stopping them. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) {
    child.kill('SIGKILL');
  }
});

/** Options of a `RedisTestServer`. */
export interface RedisTestServerOptions {
  /**
   * Keeps the data across `stop()` and `start()` (an append-only file in the
   * server's folder, written on every command), as a production Redis with
   * persistence would.
   * @default false
   */
  persistent?: boolean;
}

/**
 * A `redis-server` of a test's own, on a free port of 127.0.0.1, in a
 * folder of its own: `RedisTestServer.start()`, and `close()` in
 * `afterAll`. `stop()` and `start()` take it away and bring it back mid-test
 * (on the same port); `pause()` and `resume()` hang it (SIGSTOP, SIGCONT)
 * with its connections left open.
 */
export class RedisTestServer {
  private child: ChildProcess | undefined;
  private paused = false;
  private output = '';

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly persistent: boolean,
  ) {}

  /** Whether the server process runs (a paused one included). */
  get isRunning(): boolean {
    return this.child !== undefined;
  }

  /** `redis://127.0.0.1:<port>` */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** A new server, answering. */
  static async start(
    options: RedisTestServerOptions = {},
  ): Promise<RedisTestServer> {
    const dir = await mkdtemp(join(tmpdir(), 'nest-sessions-redis-'));
    // Another process may take the free port before the server binds it.
    for (let attempt = 1; ; attempt++) {
      const server = new RedisTestServer(
        await freePort(),
        dir,
        options.persistent ?? false,
      );
      try {
        await server.start();
        return server;
      } catch (error) {
        if (attempt === 3) {
          await rm(dir, { recursive: true, force: true });
          throw error;
        }
      }
    }
  }

  /**
   * Starts the server (again), and resolves once it says it is ready to
   * accept connections (its data loaded).
   */
  async start(): Promise<void> {
    if (this.child) {
      throw new Error('The Redis test server is already running.');
    }
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--daemonize',
      'no',
      '--save',
      '',
      '--appendonly',
      this.persistent ? 'yes' : 'no',
      '--appendfsync',
      'always',
      '--logfile',
      '',
      '--loglevel',
      'notice',
    ];
    const child = spawn('redis-server', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.output = '';
    let ready!: () => void;
    const answering = new Promise<void>((resolve) => (ready = resolve));
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-2000);
      if (READY.test(this.output)) {
        ready();
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.child = child;
    running.add(child);
    const exited = once(child, 'exit').then(([code]) => {
      running.delete(child);
      if (this.child === child) {
        this.child = undefined;
      }
      return code as number | null;
    });
    const startFailed = exited.then((code) => {
      throw new Error(
        `redis-server exited (code ${code}) before answering: ${this.output}`,
      );
    });
    const spawnFailed = once(child, 'error').then(([error]: Error[]) => {
      // No process to stop: it never ran.
      running.delete(child);
      this.child = undefined;
      throw new Error(
        `Could not start redis-server (${error.message}): the tests of the 'cache' and ` +
          `'cached_db' stores need it on the PATH (Debian: apt-get install redis-server).`,
      );
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, fail) => {
      timer = setTimeout(
        () =>
          fail(
            new Error(
              `redis-server was not ready within ${START_TIMEOUT_MS} ms: ${this.output}`,
            ),
          ),
        START_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([answering, startFailed, spawnFailed, timedOut]);
    } catch (error) {
      await this.stop();
      throw error;
    } finally {
      clearTimeout(timer);
      startFailed.catch(() => undefined);
      spawnFailed.catch(() => undefined);
      timedOut.catch(() => undefined);
    }
  }

  /** Stops the server (SIGTERM, SIGKILL if it lingers); resolves once it exited. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) {
      return;
    }
    const exited = once(child, 'exit');
    if (this.paused) {
      child.kill('SIGCONT');
      this.paused = false;
    }
    child.kill('SIGTERM');
    const lingering = setTimeout(() => child.kill('SIGKILL'), 5000);
    try {
      await exited;
    } finally {
      clearTimeout(lingering);
    }
  }

  /** Hangs the server: its connections stay open and nothing answers. */
  pause(): void {
    this.child?.kill('SIGSTOP');
    this.paused = true;
  }

  /** Lets a paused server go on. */
  resume(): void {
    this.child?.kill('SIGCONT');
    this.paused = false;
  }

  /** Stops the server and deletes its folder. */
  async close(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A TCP port of 127.0.0.1 that nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') {
    throw new Error('Could not find a free port.');
  }
  return address.port;
}
