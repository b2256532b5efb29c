import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../src/database/typeorm-options.js';
import { TestDatabase } from './support/test-database.js';

const run = promisify(execFile);

/** The migration that creates the `session` table, as the TypeORM CLI runs it. */
describe('The session table migration', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await TestDatabase.create({ migrate: false });
  });

  afterAll(async () => {
    await database.drop();
  });

  it('runs with `npm run migration:run` on the DATABASE_URL database', async () => {
    const { stdout } = await run('npm', ['run', 'migration:run'], {
      env: { ...process.env, DATABASE_URL: database.url },
    });
    for (const migration of [
      'CreateSessionTable1795305600000',
      'CreateSessionExpiredOutbox1796515200000',
      'CreateVisitorData1796515300000',
    ]) {
      expect(stdout).toContain(
        `Migration ${migration} has been executed successfully`,
      );
    }
  }, 60_000);

  it("creates the columns, key and indexes of SPEC.md, and the users' columns", async () => {
    expect(
      await database.query(
        `SELECT column_name, data_type, character_maximum_length, is_nullable
         FROM information_schema.columns WHERE table_name = 'session'
         ORDER BY ordinal_position`,
      ),
    ).toEqual([
      {
        column_name: 'session_key',
        data_type: 'character varying',
        character_maximum_length: 64,
        is_nullable: 'NO',
      },
      {
        column_name: 'session_data',
        data_type: 'jsonb',
        character_maximum_length: null,
        is_nullable: 'NO',
      },
      {
        column_name: 'expire_date',
        data_type: 'timestamp with time zone',
        character_maximum_length: null,
        is_nullable: 'NO',
      },
      {
        column_name: 'auth_user_id',
        data_type: 'character varying',
        character_maximum_length: 255,
        is_nullable: 'YES',
      },
      {
        column_name: 'created_at',
        data_type: 'timestamp with time zone',
        character_maximum_length: null,
        is_nullable: 'NO',
      },
      {
        column_name: 'last_seen',
        data_type: 'timestamp with time zone',
        character_maximum_length: null,
        is_nullable: 'NO',
      },
      {
        column_name: 'ip_address',
        data_type: 'character varying',
        character_maximum_length: 45,
        is_nullable: 'YES',
      },
      {
        column_name: 'user_agent',
        data_type: 'character varying',
        character_maximum_length: 512,
        is_nullable: 'YES',
      },
    ]);
    expect(
      await database.query(
        `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'session' ORDER BY indexname`,
      ),
    ).toEqual([
      {
        indexname: 'session_auth_user_id_idx',
        indexdef: expect.stringContaining(
          'USING btree (auth_user_id) WHERE (auth_user_id IS NOT NULL)',
        ),
      },
      {
        indexname: 'session_expire_date_idx',
        indexdef: expect.stringContaining('USING btree (expire_date)'),
      },
      {
        indexname: 'session_pkey',
        indexdef: expect.stringContaining('USING btree (session_key)'),
      },
    ]);
  });

  it('matches SessionEntity: TypeORM finds nothing to change', async () => {
    const dataSource = await new DataSource(
      typeOrmOptions(database.url),
    ).initialize();
    try {
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('creates the outbox of @AfterSessionsExpired()', async () => {
    expect(
      await database.query(
        `SELECT column_name, data_type, is_nullable
         FROM information_schema.columns WHERE table_name = 'session_expired_outbox'
         ORDER BY ordinal_position`,
      ),
    ).toEqual([
      { column_name: 'id', data_type: 'bigint', is_nullable: 'NO' },
      { column_name: 'session_keys', data_type: 'ARRAY', is_nullable: 'NO' },
      {
        column_name: 'created_at',
        data_type: 'timestamp with time zone',
        is_nullable: 'NO',
      },
    ]);
  });

  it('reverts', async () => {
    const dataSource = await new DataSource(
      typeOrmOptions(database.url),
    ).initialize();
    try {
      for (let left = dataSource.migrations.length; left > 0; left--) {
        await dataSource.undoLastMigration();
      }
      expect(
        await database.query(
          `SELECT table_name FROM information_schema.tables
           WHERE table_name IN ('session', 'session_expired_outbox', 'note', 'upload')`,
        ),
      ).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
