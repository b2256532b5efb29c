/**
 * `npm run bench:http [-- --reps R --duration S --servers a,b --loads c,d]`: requests per
 * second and p99 latency of nest-sessions against express-session +
 * connect-pg-simple on the same PostgreSQL, against their ceilings, and on
 * reads against `pg-select`, a server with no session library that reads
 * each request's session with a prepared SELECT of its own (what
 * nest-sessions' batching of the reads of one turn into one SELECT buys).
 *
 * Each server runs in a process of its own (compiled JavaScript, as in
 * production); autocannon, in this process, loads one server at a time.
 * Every request carries a pre-created session's cookie (for `/none` too, as
 * browsers send it). On `read` and `write` every connection sends the same
 * session's; `read-own` and `write-own` give each connection a session of
 * its own, as a site's visitors have: with one session, express-session's
 * touch (an UPDATE of the row on every read) and every write queue on that
 * one row's lock. A server runs only the loads it serves, and the report
 * lists those it skipped; a ceiling (no session) is compared on a `-own`
 * load by its figure on the route. Within a repetition, the servers take
 * their turns on one load before the next load; the report gives medians,
 * and ratios as the median of the ratios within each repetition. Beside
 * requests per second, it gives the server process's CPU time per request
 * (from Linux's `/proc`), which the machine's noise sways less. Each server
 * runs on a CPU of its own, the load on the others (`--unpinned` leaves
 * them to the scheduler).
 */
import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import {
  chosen,
  format,
  machine,
  median,
  medianRatio,
  target,
  progress,
  startBenchDatabase,
  wholeNumber,
} from './bench-support.js';
import { pinLoadAwayFromServer, unpinned } from './cpu-pinning.js';
import { cpuSecondsOf } from './process-cpu.js';
import {
  cookieOf,
  type Login,
  loginOf,
  startServerProcess,
  stopServerProcess,
  throwUnlessAllAnswered,
} from './http-server-process.js';
import {
  HTTP_LOADS,
  HTTP_SERVERS,
  type HttpLoad,
  type HttpServer,
  type HttpServerId,
  loggedIn,
  ownSessions,
  routeOf,
} from './http-servers.js';

const CONNECTIONS = 50;

/** nest-sessions' requests per second ÷ another server's, on one load, at least. */
const TARGETS: {
  name: string;
  load: HttpLoad;
  theirs: HttpServerId;
  /** Their load, if not `load`: a ceiling's for a `-own` load is its route's. */
  theirLoad?: HttpLoad;
  least: number;
}[] = [
  {
    name: '/read ≥ 1.5× express-session',
    load: 'read',
    theirs: 'express-session',
    least: 1.5,
  },
  {
    name: '/read ≥ 1.1× express-session with disableTouch',
    load: 'read',
    theirs: 'express-session-no-touch',
    least: 1.1,
  },
  {
    name: '/read, a session per connection, ≥ 3× express-session',
    load: 'read-own',
    theirs: 'express-session',
    least: 3,
  },
  {
    name: '/read, a session per connection, ≥ 1.3× express-session with disableTouch',
    load: 'read-own',
    theirs: 'express-session-no-touch',
    least: 1.3,
  },
  {
    name: '/write ≥ 1.3× express-session',
    load: 'write',
    theirs: 'express-session',
    least: 1.3,
  },
  {
    name: '/write, a session per connection, ≥ 1.3× express-session',
    load: 'write-own',
    theirs: 'express-session',
    least: 1.3,
  },
  {
    name: '/me (logged in, no write) ≥ 1.5× express-session',
    load: 'me',
    theirs: 'express-session',
    least: 1.5,
  },
  {
    name: 'a CSRF-checked POST ≥ 1.3× express-session',
    load: 'post',
    theirs: 'express-session',
    least: 1.3,
  },
  {
    name: '/none ≥ 0.95× the Nest ceiling',
    load: 'none',
    theirs: 'nest',
    least: 0.95,
  },
  {
    name: '/read ≥ 0.8× the Nest ceiling',
    load: 'read',
    theirs: 'nest',
    least: 0.8,
  },
  {
    name: '/read, a session per connection, ≥ 0.8× the Nest ceiling',
    load: 'read-own',
    theirs: 'nest',
    theirLoad: 'read',
    least: 0.8,
  },
];
const WARM_UP_SECONDS = 2;

const { values: args } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    servers: {
      type: 'string',
      default: HTTP_SERVERS.filter((s) => s.byDefault ?? true)
        .map((s) => s.id)
        .join(','),
    },
    loads: { type: 'string', default: HTTP_LOADS.join(',') },
    unpinned: { type: 'boolean', default: false },
  },
});
const reps = wholeNumber('--reps', args.reps);
const duration = wholeNumber('--duration', args.duration);
const servers = chosen('--servers', args.servers, HTTP_SERVERS);
const loads = chosen(
  '--loads',
  args.loads,
  HTTP_LOADS.map((id) => ({ id })),
).map(({ id }) => id);

/** One measured load on one server. */
interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  /** The server process's CPU time per request, where `/proc` tells it. */
  readonly serverCpuUs: number | undefined;
}

type Results = Map<string, LoadResult[]>;
const keyOf = (server: HttpServerId, load: HttpLoad) => `${server} ${load}`;

/** A server process, listening, with the cookies its loads send. */
interface RunningServer {
  readonly server: HttpServer;
  readonly child: ChildProcess;
  readonly url: string;
  /** One session's cookie, and one per connection (for the `-own` loads). */
  readonly shared: string;
  readonly own: string[];
  /** A logged-in session, for the `me` and `post` loads. */
  readonly login: Login | undefined;
}

const database = await startBenchDatabase();
const pinning = args.unpinned
  ? unpinned('--unpinned')
  : pinLoadAwayFromServer();
const running: RunningServer[] = [];
try {
  // Every server is started first and waits, idle, for its turn: the loads
  // that a ratio compares then run one right after the other, so the
  // machine's drift (it is shared) falls on both sides of the ratio alike.
  for (const server of servers) {
    running.push(await startServer(server));
  }
  const results: Results = new Map();
  for (let rep = 1; rep <= reps; rep++) {
    for (const load of loads) {
      const turns = running.filter(({ server }) => server.loads.includes(load));
      // Each repetition starts with another server, so none is always first.
      for (let turn = 0; turn < turns.length; turn++) {
        const measured = turns[(turn + rep - 1) % turns.length];
        const result = await measureLoad(measured, load);
        progress(
          `rep ${rep}/${reps}, ${load}, ${measured.server.label}: ` +
            `${format(Math.round(result.requestsPerSecond))} req/s, p99 ${result.p99Ms} ms` +
            (result.serverCpuUs === undefined
              ? ''
              : `, server CPU ${Math.round(result.serverCpuUs)} µs/request`),
        );
        const key = keyOf(measured.server.id, load);
        results.set(key, [...(results.get(key) ?? []), result]);
      }
    }
  }
  console.log(await report(results));
} finally {
  for (const { child } of running) {
    await stopServerProcess(child);
  }
  await database.stop();
}

async function startServer(server: HttpServer): Promise<RunningServer> {
  const { child, url } = await startServerProcess(
    server,
    database.url,
    pinning.serverWrapper,
  );
  try {
    const shared = await cookieOf(server, url);
    const own = server.loads.some(ownSessions)
      ? await Promise.all(
          Array.from({ length: CONNECTIONS }, () => cookieOf(server, url)),
        )
      : [];
    const login = server.loads.some(loggedIn)
      ? await loginOf(server, url)
      : undefined;
    return { server, child, url, shared, own, login };
  } catch (error) {
    await stopServerProcess(child);
    throw error;
  }
}

/** A warm-up, then the measured load. */
async function measureLoad(
  { child, url, shared, own, login }: RunningServer,
  load: HttpLoad,
): Promise<LoadResult> {
  const request: LoadRequest = {
    url: `${url}/${routeOf(load)}`,
    method: load === 'post' ? 'POST' : 'GET',
    headers:
      loggedIn(load) && login !== undefined
        ? [{ cookie: login.cookie, 'x-csrftoken': login.token }]
        : (ownSessions(load) ? own : [shared]).map((cookie) => ({ cookie })),
  };
  await loadWith(request, WARM_UP_SECONDS);
  const cpuBefore = cpuSecondsOf(child.pid);
  const { requests, ...measured } = await loadWith(request, duration);
  const cpuAfter = cpuSecondsOf(child.pid);
  return {
    ...measured,
    serverCpuUs:
      cpuBefore === undefined || cpuAfter === undefined
        ? undefined
        : ((cpuAfter - cpuBefore) * 1e6) / requests,
  };
}

/** What a load's connections send: connection i sends headers i (or the one set). */
interface LoadRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: readonly Record<string, string>[];
}

/** Loads a route for `seconds` with 50 connections. */
async function loadWith(
  { url, method, headers }: LoadRequest,
  seconds: number,
): Promise<{ requestsPerSecond: number; p99Ms: number; requests: number }> {
  let next = 0;
  const result = await autocannon({
    url,
    method,
    connections: CONNECTIONS,
    duration: seconds,
    setupClient: (client) => {
      client.setHeaders(headers[next++ % headers.length]);
    },
  });
  throwUnlessAllAnswered(url, result);
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
  };
}

async function report(results: Results): Promise<string> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const [{ version }] = (
    await client.query<{ version: string }>('SELECT version()')
  ).rows;
  await client.end();

  const runsOf = (server: HttpServerId, load: HttpLoad) =>
    results.get(keyOf(server, load));
  /** `ours`' requests per second on `load` ÷ `theirs`' on `theirLoad`. */
  const ratio = (
    load: HttpLoad,
    theirs: HttpServerId,
    theirLoad: HttpLoad = load,
    oursId: HttpServerId = 'nest-sessions',
  ): number | undefined => {
    const ours = runsOf(oursId, load);
    const other = runsOf(theirs, theirLoad);
    const perSecond = (run: LoadResult) => run.requestsPerSecond;
    return ours && other
      ? medianRatio(ours.map(perSecond), other.map(perSecond))
      : undefined;
  };

  const rows = servers.flatMap((server) =>
    server.loads
      .filter((load) => loads.includes(load))
      .map((load) => {
        const runs = runsOf(server.id, load) ?? [];
        const cpu = runs.flatMap((r) => r.serverCpuUs ?? []);
        return (
          `| ${server.label} | ${load} ` +
          `| ${format(Math.round(median(runs.map((r) => r.requestsPerSecond))))} ` +
          `| ${median(runs.map((r) => r.p99Ms))} ` +
          `| ${cpu.length === runs.length ? Math.round(median(cpu)) : '–'} |`
        );
      }),
  );
  const skipped = servers.flatMap(({ label, loads: served }) => {
    const notServed = loads.filter((load) => !served.includes(load));
    return notServed.length === 0 ? [] : [`${label}: ${notServed.join(', ')}`];
  });
  const targets = TARGETS.flatMap(
    ({ name, load, theirs, theirLoad, least }) => {
      const value = ratio(load, theirs, theirLoad);
      return value === undefined
        ? []
        : [target(name, value >= least, `${value.toFixed(2)}×`)];
    },
  );
  const ours: [HttpServerId, string][] = [
    ['nest-sessions', ''],
    ['nest-sessions-current', ', through current()'],
  ];
  const ratioRows = ours.flatMap(([oursId, how]) =>
    loads.flatMap((load) => {
      const ratios = [
        ratio(load, 'express-session', load, oursId),
        ratio(load, 'express-session-no-touch', load, oursId),
        // Without a session, a `-own` load is its route's load.
        ratio(load, 'nest', routeOf(load), oursId),
        ratio(load, 'nest-typeorm', 'none', oursId),
        ratio(load, 'pg-select', load, oursId),
      ];
      return ratios.every((value) => value === undefined)
        ? []
        : [`| ${load}${how} | ${ratios.map(times).join(' | ')} |`];
    }),
  );

  const twinLines = loads.flatMap((load) => {
    const value = ratio(load, 'nest', load, 'nest-twin');
    return value === undefined
      ? []
      : [
          `- ${load}: the Nest ceiling's second process ÷ the first: ${times(value)} (the same app: what noise alone gives)`,
        ];
  });

  return [
    '## HTTP benchmark',
    '',
    `- ${CONNECTIONS} connections, ${WARM_UP_SECONDS} s warm-up then ${duration} s measured per load, ` +
      `${reps} repetition${reps === 1 ? '' : 's'}, medians (ratios: the median of the ratios within each repetition)`,
    `- ${await machine()}; autocannon in the bench's process, each server in its own`,
    `- ${pinning.description}`,
    `- ${version}${database.embedded ? ' (embedded)' : ' (DATABASE_URL)'}`,
    '',
    '| server | load | req/s | p99 (ms) | server CPU per request (µs) |',
    '|---|---|--:|--:|--:|',
    ...rows,
    ...(skipped.length > 0
      ? [
          '',
          `- Not run, as the server does not serve them (a ceiling's figure on a route stands for the route's \`-own\` load): ${skipped.join('; ')}`,
        ]
      : []),
    '',
    '| load | nest-sessions ÷ express-session | ÷ express-session, disableTouch | ÷ Nest ceiling (same route) | ÷ Nest + TypeORM, no session (/none) | ÷ pg-select, a SELECT per request |',
    '|---|--:|--:|--:|--:|--:|',
    ...ratioRows,
    ...(twinLines.length > 0 ? ['', ...twinLines] : []),
    ...(targets.length > 0 ? ['', '### Targets', '', ...targets] : []),
  ].join('\n');
}

/** A ratio as `1.23×`, or a dash when a server was not measured. */
function times(ratio: number | undefined): string {
  return ratio === undefined ? '–' : `${ratio.toFixed(2)}×`;
}
