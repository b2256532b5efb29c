import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { InProcessDemo } from './support/demo-app.js';

/** The demo app's routes, as a visitor with a cookie jar uses them. */
describe('The demo app', () => {
  let app: INestApplication;
  let demo: InProcessDemo;

  beforeAll(async () => {
    demo = await InProcessDemo.start();
    ({ app } = demo);
  });

  afterAll(async () => {
    await demo.close();
  });

  it('lists its routes at / without touching the session', async () => {
    const response = await request(app.getHttpServer()).get('/').expect(200);
    expect(Object.keys(response.body.routes)).toHaveLength(12);
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('stores, shows and removes a name (/set/, /get/, /del/)', async () => {
    const visitor = request.agent(app.getHttpServer());
    await visitor
      .get('/get/')
      .expect(200, { name: null, message: 'No name in your session.' });
    await visitor.get('/set/').expect(200, {
      name: 'manish',
      message: 'Stored the name manish in your session.',
    });
    await visitor
      .get('/get/')
      .expect(200, { name: 'manish', message: 'Your name is manish.' });
    await visitor.get('/set/?name=alice').expect(200);
    await visitor
      .get('/get/')
      .expect(200, { name: 'alice', message: 'Your name is alice.' });
    await visitor.get('/del/').expect(200, {
      deleted: true,
      message: 'Removed the name from your session.',
    });
    await visitor
      .get('/get/')
      .expect(200, { name: null, message: 'No name in your session.' });
  });

  it('refuses a name the session cannot store, with a 400', async () => {
    const response = await request(app.getHttpServer())
      .get('/set/?name=a%00b')
      .expect(400);
    expect(response.body.message).toMatch(/contains a NUL character/);
  });

  it('refuses more than one name with a 400', async () => {
    await request(app.getHttpServer()).get('/set/?name=a&name=b').expect(400);
  });

  it('counts visits per visitor (/counter/)', async () => {
    const first = request.agent(app.getHttpServer());
    const second = request.agent(app.getHttpServer());
    await first.get('/counter/').expect(200, { visits: 1 });
    await first.get('/counter/').expect(200, { visits: 2 });
    await second.get('/counter/').expect(200, { visits: 1 });
    await first.get('/counter/').expect(200, { visits: 3 });
  });

  it('answers /counter/slow after the time asked, and refuses a bad one with a 400', async () => {
    const visitor = request.agent(app.getHttpServer());
    await visitor.get('/counter/slow?ms=1').expect(200, { visits: 1 });
    await visitor.get('/counter/slow?ms=abc').expect(400);
    await visitor.get('/counter/slow?ms=5001').expect(400);
  });

  it('says the sessions are healthy (/health) and exports the cleanup metrics (/metrics)', async () => {
    const health = await request(app.getHttpServer())
      .get('/health')
      .expect(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      info: {
        sessions: {
          status: 'up',
          latencyMs: expect.any(Number) as number,
          oldestExpiredSeconds: 0,
        },
      },
    });
    const metrics = await request(app.getHttpServer())
      .get('/metrics')
      .expect(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(/^sessions_cleanup_runs 0$/m);
    expect(metrics.text).toMatch(/^sessions_expired_backlog 0$/m);
  });
});
