/** A server of `bench/http-servers.ts` in a process of its own, for the HTTP benchmarks. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { HttpServer, ServerReady } from './http-servers.js';

/** A server process that listens. */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
}

/**
 * Starts `server` on `databaseUrl` and waits until it listens; `wrapper`
 * runs Node under another program (`taskset ...`, `valgrind ...`).
 */
export async function startServerProcess(
  server: HttpServer,
  databaseUrl: string,
  wrapper: readonly string[] = [],
): Promise<ServerProcess> {
  const node = [
    process.execPath,
    fileURLToPath(new URL(`./${server.entry}`, import.meta.url)),
    ...(server.variant === undefined ? [] : [server.variant]),
  ];
  const [command, ...args] = [...wrapper, ...node];
  const child = spawn(command, args, {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const { port } = await readyOf(child, server);
    return { child, url: `http://127.0.0.1:${port}` };
  } catch (error) {
    await stopServerProcess(child);
    throw error;
  }
}

/** Waits for the server's `{"port":N}` line. */
function readyOf(
  child: ChildProcess,
  server: HttpServer,
): Promise<ServerReady> {
  return new Promise((resolve, reject) => {
    // Other lines (a warning the app logs, say) go on to the terminal.
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('{"port":')) {
        resolve(JSON.parse(line) as ServerReady);
      } else {
        console.error(line);
      }
    });
    child.once('exit', (code) =>
      reject(
        new Error(
          `The ${server.label} server exited (${code}) before it listened.`,
        ),
      ),
    );
  });
}

/**
 * A session's cookie: from a first `/write` on a server with sessions; on
 * one without, a cookie as a browser would send it anyway.
 */
export async function cookieOf(
  server: HttpServer,
  url: string,
): Promise<string> {
  if (!server.sessions) {
    return 'sessionid=k3v9q2m8x7w1p4z6r5t0y8u2i9o3a7s1';
  }
  const response = await fetch(`${url}/write`);
  const setCookie = response.headers.get('set-cookie');
  if (!response.ok || !setCookie) {
    throw new Error(
      `The ${server.label} server gave no session cookie on /write (${response.status}).`,
    );
  }
  return setCookie.split(';')[0];
}

/** A logged-in session: its cookie, and the CSRF token its POSTs send. */
export interface Login {
  readonly cookie: string;
  readonly token: string;
}

/** A logged-in session of a server with sessions, from `POST /login`. */
export async function loginOf(server: HttpServer, url: string): Promise<Login> {
  const response = await fetch(`${url}/login`, { method: 'POST' });
  const setCookie = response.headers.get('set-cookie');
  if (!response.ok || !setCookie) {
    throw new Error(
      `The ${server.label} server gave no session cookie on POST /login (${response.status}).`,
    );
  }
  const { token } = (await response.json()) as { token: string };
  return { cookie: setCookie.split(';')[0], token };
}

/** Stops the server, once the requests a load left in flight are served. */
export async function stopServerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) {
    return;
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Throws unless every request of an autocannon run to `url` was answered with a 2xx. */
export function throwUnlessAllAnswered(
  url: string,
  result: { errors: number; timeouts: number; non2xx: number },
): void {
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(
      `${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx responses.`,
    );
  }
}
