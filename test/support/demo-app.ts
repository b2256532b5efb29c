import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { silentLogger } from './sessions-testing-module.js';
import { TestDatabase } from './test-database.js';

/**
 * The demo's `AppModule` in this process, on a test database of its own
 * (its migrations run by the app, as `npm start` runs them), with
 * `DATABASE_URL` and `env` set in `process.env` until `close()`.
 */
export class InProcessDemo {
  private constructor(
    readonly app: INestApplication,
    readonly database: TestDatabase,
    private readonly previous: Record<string, string | undefined>,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<InProcessDemo> {
    const database = await TestDatabase.create({ migrate: false });
    const settings = { ...env, DATABASE_URL: database.url };
    const previous = Object.fromEntries(
      Object.keys(settings).map((name) => [name, process.env[name]]),
    );
    Object.assign(process.env, settings);
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .setLogger(silentLogger)
      .compile();
    const app = await moduleRef
      .createNestApplication({ logger: silentLogger })
      .init();
    return new InProcessDemo(app, database, previous);
  }

  async close(): Promise<void> {
    await this.app.close();
    for (const [name, value] of Object.entries(this.previous)) {
      if (value === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = value;
      }
    }
    await this.database.drop();
  }
}
