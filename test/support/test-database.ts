import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { typeOrmOptions } from '../../src/database/typeorm-options.js';

/**
 * A database of its own for one test file, on the server the global setup
 * started, with the migrations run. Drop it in `afterAll`.
 */
export class TestDatabase {
  private readonly pool: pg.Pool;

  private constructor(
    readonly name: string,
    readonly url: string,
  ) {
    this.pool = new pg.Pool({ connectionString: url, max: 2 });
    // Tests that take the database away terminate these connections too.
    this.pool.on('error', () => {});
  }

  static async create({ migrate = true } = {}): Promise<TestDatabase> {
    const name = `nest_sessions_test_${randomBytes(6).toString('hex')}`;
    await withServer((client) =>
      client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`),
    );
    const url = new URL(serverUrl());
    url.pathname = `/${name}`;
    if (migrate) {
      const dataSource = new DataSource(typeOrmOptions(url.toString()));
      await dataSource.initialize();
      await dataSource.runMigrations();
      await dataSource.destroy();
    }
    return new TestDatabase(name, url.toString());
  }

  /** Runs a statement for a test's own set-up or assertions. */
  async query<Row extends object = Record<string, unknown>>(
    text: string,
    values: unknown[] = [],
  ): Promise<Row[]> {
    return (await this.pool.query<Row>(text, values)).rows;
  }

  /** The stored data of a session, or undefined when there is no row. */
  async sessionData(key: string): Promise<Record<string, unknown> | undefined> {
    const rows = await this.query<{ session_data: Record<string, unknown> }>(
      'SELECT session_data FROM session WHERE session_key = $1',
      [key],
    );
    return rows[0]?.session_data;
  }

  async sessionCount(): Promise<number> {
    const [row] = await this.query<{ count: string }>(
      'SELECT count(*) FROM session',
    );
    return Number(row.count);
  }

  /**
   * Takes the database away (every connection cut, new ones refused), or
   * brings it back: the outage a store must survive.
   */
  async setAvailable(available: boolean): Promise<void> {
    const name = this.name;
    await withServer(async (client) => {
      await client.query(
        `ALTER DATABASE ${client.escapeIdentifier(name)} ALLOW_CONNECTIONS ${available}`,
      );
      if (!available) {
        await client.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
          [name],
        );
      }
    });
  }

  async drop(): Promise<void> {
    await this.pool.end();
    await withServer((client) =>
      client.query(
        `DROP DATABASE IF EXISTS ${client.escapeIdentifier(this.name)} WITH (FORCE)`,
      ),
    );
  }
}

function serverUrl(): string {
  const url = process.env.TEST_POSTGRES_URL;
  if (!url) {
    throw new Error(
      'TEST_POSTGRES_URL is not set: run the tests with npm test.',
    );
  }
  return url;
}

async function withServer<T>(
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
