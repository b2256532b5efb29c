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

  it('fails the requests that need the session with a 503, logs no session data, and recovers', async () => {
    const server = app.getHttpServer();
    const created = await request(server)
      .get('/set?secret=hunter2')
      .expect(200);
    const key = sessionKeyFrom(created.headers)!;

    await database.setAvailable(false);
    const unavailable = {
      statusCode: 503,
      message: 'Sessions are unavailable for a moment; try again shortly.',
      error: 'Service Unavailable',
    };
    // Loading the session in the handler fails.
    const read = await request(server)
      .get('/read')
      .set('Cookie', `sessionid=${key}`)
      .expect(503, unavailable);
    expect(read.headers['retry-after']).toBe('1');
    // Saving the new session before the response fails.
    await request(server).get('/set?more=1').expect(503, unavailable);
    // The handler's own response (text, by hand) gives way to the error.
    const raw = await request(server).get('/raw').expect(503);
    expect(raw.headers['content-type']).toMatch(/^application\/json/);
    expect(raw.body).toEqual(unavailable);
    await request(server)
      .get('/none')
      .set('Cookie', `sessionid=${key}`)
      .expect(200);

    // The same failure again and again is logged once (its repeats are
    // summed up every 5 s), not once a request.
    for (let i = 0; i < 20; i++) {
      await request(server)
        .get('/read')
        .set('Cookie', `sessionid=${key}`)
        .expect(503);
    }
    const loadFailures = logger.lines.filter(
      ({ level, message }) =>
        level === 'error' &&
        message.startsWith('The session store could not load the session'),
    );
    expect(loadFailures).toHaveLength(1);

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
