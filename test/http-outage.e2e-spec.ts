import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { RecordingLogger } from './support/recording-logger.js';
import {
  createTestApp,
  HTTP_ADAPTERS,
  sessionKeyFrom,
} from './support/test-app.js';
import { TestDatabase } from './support/test-database.js';

/** The database goes away under a running app, then comes back. */
describe.each(HTTP_ADAPTERS)('A database outage, on %s', (adapter) => {
  let database: TestDatabase;
  let app: INestApplication;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    database = await TestDatabase.create();
    app = await createTestApp(database, {
      adapter,
      logger,
    });
  });

  afterAll(async () => {
    await database.setAvailable(true);
    await app.close();
    await database.drop();
  });

  it('fails the requests that need the session with a 500, logs no session data, and recovers', async () => {
    const server = app.getHttpServer();
    const created = await request(server)
      .get('/set?secret=hunter2')
      .expect(200);
    const key = sessionKeyFrom(created.headers)!;

    await database.setAvailable(false);
    await request(server)
      .get('/read')
      .set('Cookie', `sessionid=${key}`)
      .expect(500);
    await request(server)
      .get('/set?more=1')
      .expect(500, { statusCode: 500, message: 'Internal server error' });
    // The handler's own response (text, by hand) gives way to the error.
    const raw = await request(server).get('/raw').expect(500);
    expect(raw.headers['content-type']).toMatch(/^application\/json/);
    expect(raw.body).toEqual({
      statusCode: 500,
      message: 'Internal server error',
    });
    await request(server)
      .get('/none')
      .set('Cookie', `sessionid=${key}`)
      .expect(200);

    const logged = logger.text();
    expect(logged).toMatch(/The session store could not load the session/);
    expect(logged).not.toContain(key);
    expect(logged).not.toContain('hunter2');

    await database.setAvailable(true);
    await request(server)
      .get('/read')
      .set('Cookie', `sessionid=${key}`)
      .expect(200, { secret: 'hunter2' });
  });
});
