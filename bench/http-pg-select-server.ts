/**
 * The reference server of `npm run bench:http`, in a process of its own:
 *
 *   DATABASE_URL=... node dist/bench/http-pg-select-server.js
 *
 * Express and `pg`, no session library: `/read` takes the session key from
 * the `sessionid` cookie and reads its row from nest-sessions' `session`
 * table with one prepared primary-key SELECT, each request a statement of
 * its own, and answers what the other servers answer. It is what a read
 * costs without a library's work and without nest-sessions' batching of the
 * reads of one turn of the event loop into one SELECT. Express, not bare
 * `node:http`: the other servers run on Express (express-session on it
 * directly, Nest underneath), so what separates their figures from this
 * server's is the sessions' work, not the HTTP layer. `/write` only creates
 * a session (a row, `{"visits": 1}` as nest-sessions stores it after one
 * `/write`, and its cookie) for the loads' cookies; no load runs on it.
 * Prints `{"port": N}` once it listens.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pg from 'pg';

/** nest-sessions' cookie, `sessionid=<key>`, among a `Cookie` header's. */
const SESSION_COOKIE = /(?:^|;\s*)sessionid=([^;]+)/;

/** The session's data, as pg parses its `jsonb`. */
interface SessionRow {
  readonly session_data: { visits?: number };
}

/**
 * A named statement: each of the pool's connections parses and plans it on
 * first use, then only executes it, as nest-sessions' statements are.
 */
const READ_SESSION = {
  name: 'bench_read_session',
  text: 'SELECT session_data FROM session WHERE session_key = $1 AND expire_date > now()',
};

// pg's default size (10 connections), the size of the other servers'
// pools too (connect-pg-simple's and TypeORM's take pg's default): no server
// has more connections to spread its statements over.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });

const app = express();
app.get('/read', async (request, response) => {
  const key = request.headers.cookie?.match(SESSION_COOKIE)?.[1];
  const { rows } =
    key === undefined
      ? { rows: [] }
      : await pool.query<SessionRow>({ ...READ_SESSION, values: [key] });
  response.json({ visits: rows[0]?.session_data.visits ?? 0 });
});
app.get('/write', async (_request, response) => {
  const key = randomBytes(16).toString('hex');
  await pool.query(
    `INSERT INTO session (session_key, session_data, expire_date)
     VALUES ($1, '{"visits": 1}', now() + interval '2 weeks')`,
    [key],
  );
  response.cookie('sessionid', key, { httpOnly: true, sameSite: 'lax' });
  response.json({ visits: 1 });
});

const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ port }));
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
});
