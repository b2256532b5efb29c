import { spawn } from 'node:child_process';
import { seedSessions } from '../support/cleanup-testing.js';
import { ChildOutput } from '../support/child-output.js';
import { TestDatabase } from '../support/test-database.js';
import { DemoProcess } from '../support/demo-process.js';
import { printFigures } from './support/figures.js';
import { Load, tally, visitorsWithSessions } from './support/visitors.js';

const EXPIRED = 50_000;
const LIVE = 1_000;

/** `npm run clearsessions` as its script runs it: the built command, on `url`. */
async function clearSessions(
  url: string,
): Promise<{ code: number | null; text: string }> {
  const child = spawn(
    process.execPath,
    ['dist/src/clearsessions.js', '--batch-size', '1000'],
    {
      env: { ...process.env, DATABASE_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = new ChildOutput(child);
  const code = await output.exited;
  return { code, text: output.text };
}

/** The sessions a `clearsessions` output says it deleted (0 when it skipped). */
function deletedBy(text: string): number {
  const match = /Deleted (\d+) expired/.exec(text);
  return match ? Number(match[1]) : 0;
}

describe('cleanup under contention', () => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await TestDatabase.create();
  });

  afterEach(async () => {
    await database.drop();
  });

  it('purges once when four clearsessions processes start at once, and keeps every live session', async () => {
    await seedSessions(database, 'expired', EXPIRED, '-1 hour');
    const live = await seedSessions(database, 'live', LIVE, '1 hour');

    const started = performance.now();
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => clearSessions(database.url)),
    );
    const wallMs = performance.now() - started;

    expect(runs.map((run) => run.code)).toEqual([0, 0, 0, 0]);
    const deleted = runs.map((run) => deletedBy(run.text));
    const purging = deleted.filter((count) => count > 0);
    expect(purging).toEqual([EXPIRED]);
    const left = await database.query<{ key: string }>(
      'SELECT session_key AS key FROM session ORDER BY session_key',
    );
    expect(left.map((row) => row.key)).toEqual(live);
    printFigures('four clearsessions at once', {
      expired: EXPIRED,
      live: LIVE,
      purgedBy: `${purging.length} of 4`,
      deleted: deleted.join('+'),
      liveKept: `${left.length}/${LIVE}`,
      wallMs: Math.round(wallMs),
    });
  }, 120_000);

  it('loses no live session and no write while 50 visitors write during a cleanup', async () => {
    await seedSessions(database, 'expired', EXPIRED, '-1 hour');
    const demo = await DemoProcess.start({ DATABASE_URL: database.url });
    try {
      const visitors = await visitorsWithSessions(demo.url, 50, '/counter/');
      const load = new Load(visitors, '/counter/');
      await load.waitForMany(
        'answers before the cleanup',
        100,
        (o) => o.status === 200,
      );
      const run = await clearSessions(database.url);
      await load.waitForMany(
        'answers after the cleanup',
        100,
        (o) => o.status === 200,
      );
      await load.stop();

      expect(run.code).toBe(0);
      expect(deletedBy(run.text)).toBe(EXPIRED);
      const statuses = tally(load.outcomes);
      expect(Object.keys(statuses)).toEqual(['200']);
      let lost = 0;
      for (const visitor of visitors) {
        const key = visitor.cookie!.split('=')[1];
        const data = await database.sessionData(key);
        const answered = visitor.outcomes.filter(
          (o) => o.status === 200,
        ).length;
        if (data?.visits !== answered) lost += 1;
      }
      printFigures('cleanup while 50 visitors write', {
        expiredPurged: deletedBy(run.text),
        requests: load.outcomes.length,
        sessionsLostOrBehind: lost,
      });
      expect(lost).toBe(0);
    } finally {
      await demo.stop();
    }
  }, 120_000);
});
