import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { postgresOn } from '../support/postgres-processes.js';
import { TestDatabase } from '../support/test-database.js';
import { DemoProcess } from '../support/demo-process.js';
import { printFigures } from './support/figures.js';
import {
  isOk,
  Load,
  type Outcome,
  tally,
  type Visitor,
  visitorsWithSessions,
} from './support/visitors.js';

/** Each request of the load takes this long in the handler. */
const SLOW_MS = 300;
const VISITORS = 50;

/**
 * SIGTERM while 50 keep-alive visitors count their visits on a route that
 * takes 300 ms: every request the server had begun gets its whole answer
 * and its session saved, the only failures are those HTTP lets a client
 * retry, and the process exits 0, leaving nothing running.
 */
describe('SIGTERM under load', () => {
  describe('on an external PostgreSQL (DATABASE_URL)', () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await TestDatabase.create({ migrate: false });
    });

    afterAll(async () => {
      await database?.drop();
    });

    it('finishes the requests in flight, saves their sessions, and exits 0', async () => {
      const demo = await DemoProcess.start({ DATABASE_URL: database.url });
      const { figures, visitors } = await stopUnderLoad(demo);
      const lost = await lostWrites(visitors, database.url);
      printFigures('SIGTERM under load, external PostgreSQL', {
        ...figures,
        lostWrites: lost,
      });
      expect(lost).toBe(0);
    }, 120_000);
  });

  describe('on the embedded PostgreSQL', () => {
    const dataDir = resolve(
      join(
        process.env.TEST_DATA_ROOT ?? '.data',
        `nest-sessions-shutdown-${randomBytes(4).toString('hex')}`,
      ),
    );

    afterAll(async () => {
      await rm(dataDir, { recursive: true, force: true });
    });

    it('finishes the requests in flight before stopping its PostgreSQL, and exits 0', async () => {
      const demo = await DemoProcess.start({ EMBEDDED_POSTGRES_DIR: dataDir });
      const { figures, visitors } = await stopUnderLoad(demo);
      expect(await postgresOn(dataDir)).toEqual([]);

      // The sessions, read on the same files once the demo runs again.
      const again = await DemoProcess.start({ EMBEDDED_POSTGRES_DIR: dataDir });
      const lost = await lostWrites(visitors, await embeddedUrl(dataDir));
      expect(await again.stop()).toBe(0);
      expect(await postgresOn(dataDir)).toEqual([]);
      printFigures('SIGTERM under load, embedded PostgreSQL', {
        ...figures,
        lostWrites: lost,
      });
      expect(lost).toBe(0);
    }, 120_000);
  });
});

/**
 * Loads `demo` with 50 visitors, sends SIGTERM once they have had a round
 * of answers (each then has its next request in the 300 ms handler), and
 * lets them go on until refused; checks the outcomes and the exit code.
 */
async function stopUnderLoad(demo: DemoProcess): Promise<{
  figures: Record<string, number | string>;
  visitors: Visitor[];
}> {
  const visitors = await visitorsWithSessions(demo.url, VISITORS, '/counter/');
  const load = new Load(visitors, `/counter/slow?ms=${SLOW_MS}`, {
    untilRefused: true,
  });
  await load.waitForMany('a round of answers', VISITORS, isOk);
  const signalAt = performance.now();
  const exitCode = await demo.stop('SIGTERM');
  const exitedAt = performance.now();
  await load.finished();

  const outcomes = load.outcomes;
  const inFlight = outcomes.filter(
    (o) => o.sentAt < signalAt && o.settledAt > signalAt,
  );
  const failures = outcomes.filter((o) => o.status === undefined);
  const statuses = tally(outcomes);

  expect(exitCode).toBe(0);
  // A request in flight gets its answer, unless the server had not begun
  // to read it (a reset of a kept-alive connection, which clients retry).
  expect(inFlight.filter((o) => !isOk(o) && !isRetryable(o))).toEqual([]);
  expect(inFlight.filter(isOk).length).toBeGreaterThanOrEqual(VISITORS / 2);
  expect(failures.filter((o) => !isRetryable(o))).toEqual([]);
  expect(outcomes.filter((o) => o.status !== undefined && !isOk(o))).toEqual(
    [],
  );
  const refused = statuses.ECONNREFUSED ?? 0;
  return {
    visitors,
    figures: {
      exitCode: exitCode ?? 'signal',
      shutdownMs: Math.round(exitedAt - signalAt),
      inFlightAtSignal: inFlight.length,
      inFlightAnswered: inFlight.filter(isOk).length,
      answered: statuses['200'] ?? 0,
      refused,
      resetOnReusedConnection: failures.length - refused,
    },
  };
}

/** Visitors whose session does not count every 200 they got. */
async function lostWrites(
  visitors: readonly Visitor[],
  url: string,
): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let lost = 0;
    for (const visitor of visitors) {
      const key = visitor.cookie!.split('=')[1];
      const { rows } = await client.query<{ visits: number | null }>(
        "SELECT (session_data->>'visits')::int AS visits FROM session WHERE session_key = $1",
        [key],
      );
      if ((rows[0]?.visits ?? 0) !== visitor.outcomes.filter(isOk).length) {
        lost += 1;
      }
    }
    return lost;
  } finally {
    await client.end();
  }
}

/**
 * What HTTP lets a client retry: a refused connection (the port is closed),
 * or a request written on a kept-alive connection the server closed as idle.
 */
function isRetryable(outcome: Outcome): boolean {
  return (
    outcome.error === 'ECONNREFUSED' ||
    (outcome.reusedSocket &&
      (outcome.error === 'ECONNRESET' || outcome.error === 'socket hang up'))
  );
}

/** The URL of the demo's database on the embedded PostgreSQL running in `dataDir`. */
async function embeddedUrl(dataDir: string): Promise<string> {
  const pid = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
  const port = Number(pid.split('\n')[3]);
  return `postgres://postgres:postgres@localhost:${port}/nest_sessions`;
}
