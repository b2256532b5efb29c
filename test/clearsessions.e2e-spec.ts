import { clearsessions } from './support/clearsessions-process.js';
import { seedSessions } from './support/cleanup-testing.js';
import { TestDatabase } from './support/test-database.js';

describe('npm run clearsessions (the demo)', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await TestDatabase.create();
    await seedSessions(database, 'gone', 3, '-1 hour');
    await seedSessions(database, 'live', 2, '1 hour');
  });

  afterAll(async () => {
    await database.drop();
  });

  it('with --dry-run, counts the expired sessions and deletes nothing', async () => {
    const outcome = await clearsessions(database, ['--dry-run']);

    expect(outcome).toEqual({
      code: 0,
      stdout: '3 sessions are expired; nothing was deleted (dry run).\n',
      stderr: '',
    });
    expect(await database.sessionCount()).toBe(5);
  });

  it('deletes the expired sessions and says how many', async () => {
    const outcome = await clearsessions(database, ['--batch-size', '2']);

    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toMatch(
      /^Deleted 3 expired sessions in 2 batches \(raw mode, \d+ ms\)\.\n$/,
    );
    expect(await database.sessionCount()).toBe(2);
  });

  it('exits with 2 and the usage on a bad argument', async () => {
    const outcome = await clearsessions(database, ['--mode', 'fast']);

    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toMatch(
      /^clearsessions: --mode must be 'raw' or 'events', got 'fast'\.\n\nUsage: clearsessions/,
    );
  });
});
