import {
  AbstractSessionEntity,
  SessionEntity,
  TypeOrmSessionStore,
} from 'nest-sessions';
import { DataSource, Entity } from 'typeorm';
import { TestDatabase } from './support/test-database.js';

/** An app's second session table, in the same data source. */
@Entity('admin_session')
class AdminSession extends AbstractSessionEntity {}

const write = (data: Record<string, unknown>) => ({
  data,
  changes: { set: data, removed: [], replaced: false, increments: {} },
  expiry: 3600,
});

describe("The 'db' store's prepared statements", () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await TestDatabase.create();
    await database.query(
      `CREATE TABLE admin_session (session_key varchar(40) PRIMARY KEY,
         session_data jsonb NOT NULL, expire_date timestamptz NOT NULL)`,
    );
    // One connection: both stores' statements are prepared on it.
    dataSource = new DataSource({
      type: 'postgres',
      url: database.url,
      entities: [SessionEntity, AdminSession],
      extra: { max: 1 },
    });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('are prepared once per connection, under names of their own for each table', async () => {
    const users = new TypeOrmSessionStore(dataSource, SessionEntity);
    const admins = new TypeOrmSessionStore(dataSource, AdminSession);

    const userKey = await users.create(write({ who: 'user' }));
    const adminKey = await admins.create(write({ who: 'admin' }));
    for (let round = 0; round < 3; round++) {
      expect(await users.load(userKey)).toEqual({ who: 'user' });
      expect(await admins.load(adminKey)).toEqual({ who: 'admin' });
    }
    expect(await users.load(adminKey)).toBeNull();

    const prepared = await dataSource.query<{ name: string }[]>(
      `SELECT name FROM pg_prepared_statements WHERE name LIKE 'nest_sessions_%'`,
    );
    // create and load, for each of the two tables.
    expect(prepared).toHaveLength(4);
  });
});
