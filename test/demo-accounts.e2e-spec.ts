import type { INestApplication } from '@nestjs/common';
import { CleanupService } from 'nest-sessions';
import request from 'supertest';
import { demoVisitor, renewCsrfToken } from './support/demo-visitor.js';
import { sessionKeyFrom } from './support/test-app.js';
import { InProcessDemo } from './support/demo-app.js';
import { TestDatabase } from './support/test-database.js';

/** The demo's accounts over HTTP: sign-up, login, the sessions page, password changes. */
describe("The demo's accounts", () => {
  let database: TestDatabase;
  let app: INestApplication;
  let demo: InProcessDemo;

  beforeAll(async () => {
    demo = await InProcessDemo.start();
    ({ app, database } = demo);
  });

  afterAll(async () => {
    await demo.close();
  });

  /** A browser that signed up as `username` (password 'a long password'), on the account page. */
  async function signedUp(username: string, userAgent = 'Browser A') {
    const { visitor, key } = await demoVisitor(app.getHttpServer());
    visitor.set('User-Agent', userAgent);
    const response = await visitor
      .post('/signup')
      .type('form')
      .send({ username, password: 'a long password' })
      .expect(303)
      .expect('Location', '/account');
    await renewCsrfToken(visitor);
    return { visitor, before: key, key: sessionKeyFrom(response.headers)! };
  }

  /** Another browser that logs in as `username`. */
  async function loggedIn(
    username: string,
    userAgent: string,
    password = 'a long password',
  ) {
    const { visitor } = await demoVisitor(app.getHttpServer());
    visitor.set('User-Agent', userAgent);
    const response = await visitor
      .post('/login')
      .type('form')
      .send({ username, password })
      .expect(303);
    await renewCsrfToken(visitor);
    return { visitor, key: sessionKeyFrom(response.headers)! };
  }

  it('signs up with a new session key, and shows the account with this browser', async () => {
    const { visitor, before, key } = await signedUp('alice');

    expect(key).not.toBe(before);
    expect(await database.sessionData(before)).toBeUndefined();
    const [{ auth_user_id }] = await database.query<{ auth_user_id: string }>(
      'SELECT auth_user_id FROM session WHERE session_key = $1',
      [key],
    );
    const [{ id }] = await database.query<{ id: string }>(
      `SELECT id FROM app_user WHERE username = 'alice'`,
    );
    expect(auth_user_id).toBe(id);
    const page = await visitor.get('/account').expect(200);
    expect(page.text).toContain('<span id="username">alice</span>');
    expect(page.text).toContain('Browser A');
    expect(page.text).toContain('This browser');
    expect(page.text).not.toContain(key);
  });

  it('refuses a taken name, a bad name and a short password', async () => {
    await signedUp('bob');
    const { visitor } = await demoVisitor(app.getHttpServer());
    const signup = (username: string, password: string) =>
      visitor.post('/signup').type('form').send({ username, password });

    expect(
      (await signup('bob', 'another long one').expect(409)).text,
    ).toContain('The name bob is taken');
    await signup('no spaces please', 'a long password').expect(400);
    await signup('carol', 'short').expect(400);
    expect(
      await database.query(`SELECT 1 FROM app_user WHERE username = 'carol'`),
    ).toEqual([]);
  });

  it('logs in with the right password only, keeping what the visitor had', async () => {
    await signedUp('dave');
    const { visitor, key } = await demoVisitor(app.getHttpServer());
    await visitor.get('/counter/').expect(200, { visits: 1 });

    const wrong = await visitor
      .post('/login')
      .type('form')
      .send({ username: 'dave', password: 'not the password' })
      .expect(401);
    expect(wrong.text).toContain('Wrong name or password.');
    await visitor
      .post('/login')
      .type('form')
      .send({ username: 'nobody', password: 'a long password' })
      .expect(401);

    const right = await visitor
      .post('/login')
      .type('form')
      .send({ username: 'dave', password: 'a long password' })
      .expect(303)
      .expect('Location', '/account');
    const userKey = sessionKeyFrom(right.headers)!;
    expect(userKey).not.toBe(key);
    await visitor.get('/counter/').expect(200, { visits: 2 });
  });

  it('sends a browser that is not logged in to the login page', async () => {
    await request(app.getHttpServer())
      .get('/account')
      .expect(303)
      .expect('Location', '/login');
    const form = await request(app.getHttpServer()).get('/login').expect(200);
    expect(form.text).toMatch(
      /name="csrfmiddlewaretoken"\s+value="[a-zA-Z0-9]{64}"/,
    );
  });

  it('refuses a login form without the CSRF token', async () => {
    await signedUp('erin');
    await request(app.getHttpServer())
      .post('/login')
      .type('form')
      .send({ username: 'erin', password: 'a long password' })
      .expect(403);
  });

  it("lists the user's browsers and logs one out from another", async () => {
    const here = await signedUp('frank', 'Laptop');
    const phone = await loggedIn('frank', 'Phone');

    const page = await here.visitor.get('/account').expect(200);
    expect(page.text).toContain('Laptop');
    expect(page.text).toContain('Phone');
    const [action] = /\/account\/sessions\/[0-9a-f]{64}\/revoke/.exec(
      page.text,
    )!;
    await here.visitor.post(action).expect(303).expect('Location', '/account');

    await phone.visitor
      .get('/account')
      .expect(303)
      .expect('Location', '/login');
    await here.visitor.get('/account').expect(200);
  });

  it("removes a revoked session's notes with the cleanup, as an expired one's", async () => {
    const here = await signedUp('judy', 'Laptop');
    const phone = await loggedIn('judy', 'Phone');
    await phone.visitor
      .post('/notes')
      .type('form')
      .send({ text: 'from the phone' })
      .expect(303);
    const notes = (key: string) =>
      database.query('SELECT 1 FROM note WHERE session_key = $1', [key]);
    expect(await notes(phone.key)).toHaveLength(1);

    await here.visitor.post('/account/sessions/revoke-others').expect(303);
    await app.get(CleanupService).run();

    expect(await notes(phone.key)).toEqual([]);
    expect(await database.sessionData(phone.key)).toBeUndefined();
    await here.visitor.get('/account').expect(200);
  });

  it('logs out all other browsers', async () => {
    const here = await signedUp('grace', 'Laptop');
    const others = [
      await loggedIn('grace', 'Phone'),
      await loggedIn('grace', 'Tablet'),
    ];

    await here.visitor.post('/account/sessions/revoke-others').expect(303);

    for (const other of others) {
      await other.visitor
        .get('/account')
        .expect(303)
        .expect('Location', '/login');
    }
    const page = await here.visitor.get('/account').expect(200);
    expect(page.text).not.toContain('Phone');
  });

  it('changes the password: this browser stays, the others are logged out, the new password works', async () => {
    const here = await signedUp('heidi', 'Laptop');
    const phone = await loggedIn('heidi', 'Phone');

    await here.visitor
      .post('/account/password')
      .type('form')
      .send({ current: 'wrong', next: 'a new long password' })
      .expect(400);
    await here.visitor
      .post('/account/password')
      .type('form')
      .send({ current: 'a long password', next: 'a new long password' })
      .expect(303);
    await renewCsrfToken(here.visitor);

    await here.visitor.get('/account').expect(200);
    await phone.visitor
      .get('/account')
      .expect(303)
      .expect('Location', '/login');
    await loggedIn('heidi', 'Phone', 'a new long password');
  });

  it('logs out: the session is deleted', async () => {
    const { visitor, key } = await signedUp('ivan');

    await visitor.post('/logout').expect(303).expect('Location', '/');

    expect(await database.sessionData(key)).toBeUndefined();
    await visitor.get('/account').expect(303).expect('Location', '/login');
  });
});
