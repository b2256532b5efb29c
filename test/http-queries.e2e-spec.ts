import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import request from 'supertest';
import {
  createTestApp,
  HTTP_ADAPTERS,
  sessionKeyFrom,
} from './support/test-app.js';
import { TestDatabase } from './support/test-database.js';

/**
 * The hot path, counted in statements sent to PostgreSQL: none for a handler
 * that never touches the session, one to read, one to write.
 */
describe.each(HTTP_ADAPTERS)('Statements per request, on %s', (adapter) => {
  let database: TestDatabase;
  let app: INestApplication;
  let key: string;
  // Spied per adapter: each suite restores its own spy when it is done.
  let statements: jest.Spied<typeof pg.Client.prototype.query>;

  beforeAll(async () => {
    statements = jest.spyOn(pg.Client.prototype, 'query');
    database = await TestDatabase.create();
    app = await createTestApp(database, { adapter });
    const created = await request(app.getHttpServer())
      .get('/set?name=manish')
      .expect(200);
    key = sessionKeyFrom(created.headers)!;
  });

  afterAll(async () => {
    statements.mockRestore();
    await app.close();
    await database.drop();
  });

  async function statementsFor(
    path: string,
    cookie?: string,
  ): Promise<string[]> {
    statements.mockClear();
    const call = request(app.getHttpServer()).get(path);
    await (cookie === undefined ? call : call.set('Cookie', cookie)).expect(
      200,
    );
    return statements.mock.calls.map(([text]) =>
      typeof text === 'string' ? text : (text as { text: string }).text,
    );
  }

  it('sends none for a handler that never touches the session, cookie or not', async () => {
    expect(await statementsFor('/none', `sessionid=${key}`)).toEqual([]);
    expect(await statementsFor('/none')).toEqual([]);
  });

  it('sends none for a malformed cookie', async () => {
    expect(await statementsFor('/read', "sessionid=x' OR '1'='1")).toEqual([]);
  });

  it('sends one indexed SELECT to read', async () => {
    expect(await statementsFor('/read', `sessionid=${key}`)).toEqual([
      expect.stringMatching(
        /^SELECT "session_key" AS key, "session_data"::text AS data, extract\(epoch FROM "expire_date" - now\(\)\)::float8 AS expires_in FROM "session" WHERE "session_key" = ANY\(\$1::text\[\]\)/,
      ),
    ]);
  });

  it('sends one INSERT to create a session', async () => {
    expect(await statementsFor('/set?fresh=1')).toEqual([
      expect.stringMatching(/^INSERT INTO "session"/),
    ]);
  });

  it('sends the read and one UPDATE to change a session', async () => {
    expect(await statementsFor('/set?color=blue', `sessionid=${key}`)).toEqual([
      expect.stringMatching(/^SELECT /),
      expect.stringMatching(/^UPDATE "session" AS stored SET/),
    ]);
  });
});
