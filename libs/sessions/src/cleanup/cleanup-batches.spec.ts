import { DataSource } from 'typeorm';
import {
  remainingKeys,
  seedSessions,
} from '../../../../test/support/cleanup-testing.js';
import { TestDatabase } from '../../../../test/support/test-database.js';
import { EventsCleanupBatches } from './events-cleanup-batches.js';
import { connectRunner } from './query-runner-client.js';
import { RawCleanupBatches } from './raw-cleanup-batches.js';
import { SessionEntity } from '../entities/session.entity.js';
import { TypeOrmSessionStore } from '../stores/db/typeorm-session.store.js';

/**
 * The cleanup's batches of either mode, below `CleanupService` (on a real
 * PostgreSQL): what one
 * batch deletes when its statements share one instant.
 */
describe.each(['raw', 'events'] as const)("Cleanup batches ('%s')", (mode) => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await TestDatabase.create();
    dataSource = await new DataSource({
      type: 'postgres',
      url: database.url,
      entities: [SessionEntity],
    }).initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('keeps a session that expires at the very instant of the run', async () => {
    const [edge, gone] = await seedSessions(database, 'edge', 2, '-1 hour');
    const table = new TypeOrmSessionStore(dataSource).sessionTable;
    const runner = dataSource.createQueryRunner();
    await connectRunner(runner);
    await runner.startTransaction();
    // now() is the transaction's start: the same instant for both statements.
    await runner.query(
      'UPDATE session SET expire_date = now() WHERE session_key = $1',
      [edge],
    );
    const batches =
      mode === 'raw'
        ? await RawCleanupBatches.open(table, 10, true)
        : await EventsCleanupBatches.open(table, 10, runner);
    const batch = await batches.deleteNext(runner);
    await runner.commitTransaction();
    await runner.release();
    await batches.close();

    expect(batch).toEqual({ done: true, deleted: 1, keys: [gone] });
    expect(await remainingKeys(database)).toEqual([edge]);
  });
});
