/**
 * `npm run bench:http-instructions [-- --servers a,b --requests N]`: the
 * machine instructions a Nest server spends per `/none` request, counted by
 * valgrind's callgrind (Debian's `valgrind` package), and their ratios to
 * the Nest ceiling's.
 *
 * Requests per second on a shared machine move by more than the 5% that
 * separates a `/none` request of nest-sessions from one of the Nest
 * ceiling. Instructions do not depend on what else the machine is doing;
 * from one run to the next, the same server's count moves by a few percent
 * (when V8 compiles and collects garbage), not by a third.
 * Each server runs under callgrind with counting off; 5,000 requests warm
 * it up (V8 optimises the hot paths), then counting is on for `--requests`
 * more (default 20,000, enough to span several of V8's full garbage
 * collections), sent by autocannon with 50 connections, each carrying a
 * session's cookie. The count covers every thread of the server's process
 * (the garbage collector's too).
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import {
  chosen,
  format,
  machine,
  progress,
  startBenchDatabase,
  target,
  wholeNumber,
} from './bench-support.js';
import {
  cookieOf,
  startServerProcess,
  stopServerProcess,
  throwUnlessAllAnswered,
} from './http-server-process.js';
import { HTTP_SERVERS, type HttpServer } from './http-servers.js';

const CONNECTIONS = 50;
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
/**
 * What nest-sessions may add to a `/none` request: on Node 20 the request
 * context makes Node run a hook for every promise; Node 22 and later pay
 * next to nothing for it.
 */
const MOST_OVER_CEILING = NODE_MAJOR <= 20 ? 1.1 : 1.05;
const WARM_UP_REQUESTS = 5000;
const NEST_SERVERS = HTTP_SERVERS.filter(
  (server) => server.entry === 'http-nest-server.js',
);

const { values: args } = parseArgs({
  options: {
    servers: {
      type: 'string',
      default: 'nest-sessions,nest-sessions-current,nest,nest-typeorm',
    },
    requests: { type: 'string', default: '20000' },
  },
});
const servers = chosen('--servers', args.servers, NEST_SERVERS);
const requests = wholeNumber('--requests', args.requests);

try {
  execFileSync('valgrind', ['--version']);
} catch {
  throw new Error(
    'bench:http-instructions needs valgrind: apt-get install -y valgrind',
  );
}

const database = await startBenchDatabase();
const counts = new Map<string, number>();
try {
  for (const server of servers) {
    const perRequest = await instructionsPerRequest(server);
    progress(
      `${server.label}: ${format(Math.round(perRequest))} instructions per /none request`,
    );
    counts.set(server.id, perRequest);
  }
} finally {
  await database.stop();
}
console.log(await report());

/** Instructions per `/none` request of `server`, under callgrind. */
async function instructionsPerRequest(server: HttpServer): Promise<number> {
  const output = join(tmpdir(), `bench-callgrind-${process.pid}.out`);
  const log = join(tmpdir(), `bench-callgrind-${process.pid}.log`);
  const { child, url } = await startServerProcess(server, database.url, [
    'valgrind',
    '--tool=callgrind',
    '--instr-atstart=no',
    `--callgrind-out-file=${output}`,
    `--log-file=${log}`,
  ]);
  try {
    const cookie = await cookieOf(server, url);
    await load(`${url}/none`, cookie, WARM_UP_REQUESTS);
    callgrindControl('on', child.pid!);
    const sent = await load(`${url}/none`, cookie, requests);
    callgrindControl('off', child.pid!);
    await stopServerProcess(child);
    // callgrind logs what it counted when the process ends.
    const written = await readFile(log, 'utf8');
    const collected = /Collected : (\d+)/.exec(written);
    if (!collected) {
      throw new Error(
        `callgrind gave no count for ${server.label}:\n${written}`,
      );
    }
    return Number(collected[1]) / sent;
  } finally {
    await stopServerProcess(child);
    await rm(output, { force: true });
    await rm(log, { force: true });
  }
}

function callgrindControl(instrumentation: 'on' | 'off', pid: number): void {
  execFileSync('callgrind_control', ['-i', instrumentation, String(pid)], {
    stdio: 'ignore',
  });
}

/** Sends `amount` requests to `url`; returns how many were answered. */
async function load(
  url: string,
  cookie: string,
  amount: number,
): Promise<number> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    amount,
    // A server under valgrind answers some fifty times slower.
    timeout: 60,
    headers: { cookie },
  });
  throwUnlessAllAnswered(url, result);
  return result.requests.total;
}

async function report(): Promise<string> {
  const ceiling = counts.get('nest');
  const rows = servers.map((server) => {
    const count = counts.get(server.id)!;
    const ratio =
      ceiling === undefined ? '–' : `${(count / ceiling).toFixed(3)}×`;
    return `| ${server.label} | ${format(Math.round(count))} | ${ratio} |`;
  });
  const ours = counts.get('nest-sessions');
  return [
    '## Instructions per /none request',
    '',
    `- ${format(WARM_UP_REQUESTS)} requests of warm-up, then ${format(requests)} counted by callgrind; ${CONNECTIONS} connections, each request with a session's cookie`,
    `- ${await machine()}`,
    '',
    '| server | instructions per request | ÷ Nest ceiling |',
    '|---|--:|--:|',
    ...rows,
    ...(ours !== undefined && ceiling !== undefined
      ? [
          '',
          target(
            `/none ≤ ${MOST_OVER_CEILING}× the Nest ceiling's instructions on Node ${NODE_MAJOR}`,
            ours / ceiling <= MOST_OVER_CEILING,
            `${(ours / ceiling).toFixed(3)}×`,
          ),
        ]
      : []),
  ].join('\n');
}
