import type { DemoProcess } from '../../support/demo-process.js';
import { printFigures } from './figures.js';
import {
  isOk,
  Load,
  storedName,
  tally,
  visitorsWithSessions,
} from './visitors.js';

/** The most log lines the demo may write from an outage to its recovery. */
export const MAX_OUTAGE_LOG_LINES = 100;

/** A server the demo depends on, taken away and brought back. */
export interface Dependency {
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * Stops `dependency` while 50 visitors count their visits on `demo`, and
 * starts it again: the demo does not crash, answers only `statuses`
 * meanwhile, answers 200 again within 5 s of the dependency's return, still
 * has the 100 sessions saved before, and logs at most
 * `MAX_OUTAGE_LOG_LINES` lines, none with the database's password.
 * Prints the figures under `name`.
 */
export async function restartUnderLoad(
  name: string,
  demo: DemoProcess,
  dependency: Dependency,
  statuses: readonly string[],
): Promise<void> {
  const saved = await visitorsWithSessions(demo.url, 100, '/set/?name=kept');
  const load = new Load(
    await visitorsWithSessions(demo.url, 50, '/counter/'),
    '/counter/',
  );
  await load.waitForMany('200s before the outage', 200, isOk);
  const logFrom = demo.lines.length;

  const stopping = performance.now();
  await dependency.stop();
  const down = performance.now();
  await load.waitForMany('answers in the outage', 100, (o) => o.sentAt > down);
  await dependency.start();
  const back = performance.now();
  const firstOk = await load.waitFor(
    'a 200 after the return',
    (o) => isOk(o) && o.sentAt >= back,
    10_000,
  );
  const recoveryMs = firstOk.settledAt - back;
  await load.stop();
  const logLines = demo.linesSince(logFrom);
  const names = await Promise.all(saved.map((visitor) => storedName(visitor)));
  saved.forEach((visitor) => visitor.close());
  const answered = tally(load.outcomes);

  printFigures(name, {
    outageMs: Math.round(back - stopping),
    requests: load.outcomes.length,
    answered: JSON.stringify(answered),
    recoveryMs: Math.round(recoveryMs),
    sessionsKept: `${names.filter((n) => n === 'kept').length}/${saved.length}`,
    logLines: logLines.length,
  });
  expect(demo.running).toBe(true);
  expect(recoveryMs).toBeLessThan(5000);
  expect(Object.keys(answered).filter((s) => !statuses.includes(s))).toEqual(
    [],
  );
  expect(names.filter((n) => n !== 'kept')).toEqual([]);
  // The lines themselves, if too many, to see what floods.
  expect(logLines.length > MAX_OUTAGE_LOG_LINES ? logLines : []).toEqual([]);
  expect(logLines.join('\n')).not.toMatch(/:\/\/[^/\s]*:[^/\s]*@/);
}
