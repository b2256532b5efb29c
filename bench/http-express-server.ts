/**
 * An Express server of `npm run bench:http`, in a process of its own:
 *
 *   DATABASE_URL=... node dist/bench/http-express-server.js plain|touch|no-touch
 *
 * `plain`: no session (the ceiling). `touch`: express-session with
 * connect-pg-simple, `resave: false`, `saveUninitialized: false`, defaults
 * otherwise (its store touches the session on every read), with a logged-in
 * site's routes (`POST /login`, `GET /me`, `POST /post` with a CSRF token). `no-touch`: the
 * same with the store's `disableTouch`. Prints `{"port": N}` once it listens.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import connectPgSimple from 'connect-pg-simple';
import express from 'express';
import session from 'express-session';
import pg from 'pg';

declare module 'express-session' {
  interface SessionData {
    visits: number;
    userId: string;
    csrf: string;
    posts: number;
  }
}

const variant = process.argv[2];
if (!['plain', 'touch', 'no-touch'].includes(variant)) {
  throw new Error(
    `Usage: http-express-server.js plain|touch|no-touch, got '${variant}'`,
  );
}

const app = express();
let pool: pg.Pool | undefined;
if (variant !== 'plain') {
  pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
  // connect-pg-simple's own table, under a name of its own: its
  // `createTableIfMissing` would name the primary key as nest-sessions'
  // table does, and fail.
  await pool.query(
    `CREATE TABLE IF NOT EXISTS express_session (
       sid varchar PRIMARY KEY, sess json NOT NULL, expire timestamp(6) NOT NULL)`,
  );
  await pool.query(
    'CREATE INDEX IF NOT EXISTS express_session_expire_idx ON express_session (expire)',
  );
  const PgStore = connectPgSimple(session);
  app.use(
    session({
      store: new PgStore({
        pool,
        tableName: 'express_session',
        disableTouch: variant === 'no-touch',
      }),
      secret: 'bench secret, not for production',
      resave: false,
      saveUninitialized: false,
    }),
  );
}

app.get('/none', (_request, response) => {
  response.json({ ok: true });
});
app.get('/read', (request, response) => {
  response.json({ visits: request.session?.visits ?? 0 });
});
app.get('/write', (request, response) => {
  const visits = (request.session.visits ?? 0) + 1;
  request.session.visits = visits;
  response.json({ visits });
});

// A logged-in site's routes, as an Express app writes them: a login that
// regenerates the session and keeps a CSRF token in it, a page for
// logged-in users, and a POST that checks the token (the synchronizer-token
// pattern, compared in constant time) and writes.
app.post('/login', (request, response, next) => {
  request.session.regenerate((error) => {
    if (error) {
      next(error);
      return;
    }
    request.session.userId = 'bench-user';
    request.session.csrf = randomBytes(32).toString('hex');
    response.json({ token: request.session.csrf });
  });
});
app.get('/me', (request, response) => {
  if (request.session?.userId === undefined) {
    response.status(401).end();
    return;
  }
  response.json({ userId: request.session.userId });
});
app.post('/post', (request, response) => {
  const sent = Buffer.from(request.get('x-csrftoken') ?? '');
  const kept = Buffer.from(request.session?.csrf ?? '');
  if (
    sent.length === 0 ||
    sent.length !== kept.length ||
    !timingSafeEqual(sent, kept)
  ) {
    response.status(403).end();
    return;
  }
  const posts = (request.session.posts ?? 0) + 1;
  request.session.posts = posts;
  response.json({ posts });
});

const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ port }));
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void (pool?.end() ?? Promise.resolve()).finally(() => process.exit(0));
});
