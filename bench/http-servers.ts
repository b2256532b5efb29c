/** What `npm run bench:http` loads, and the servers it loads it on. */

/** Every load, in the order a repetition takes them. */
export const HTTP_LOADS = [
  'none',
  'read',
  'read-own',
  'write',
  'write-own',
  'me',
  'post',
] as const;

/**
 * A load: a route, with every connection sending one pre-created session's
 * cookie; a `-own` load (`read-own`, `write-own`) sends the same route's
 * requests, each connection with a session of its own, as browsers do. The
 * logged-in loads send a session made by `POST /login`: `me` reads its user
 * behind a login check (no write), `post` is a CSRF-checked POST that adds
 * to a counter, its token in the `X-CSRFToken` header.
 */
export type HttpLoad = (typeof HTTP_LOADS)[number];

/** The route a load requests. */
export function routeOf(
  load: HttpLoad,
): 'none' | 'read' | 'write' | 'me' | 'post' {
  return load === 'read-own' ? 'read' : load === 'write-own' ? 'write' : load;
}

/** Whether `load` sends a logged-in session's cookie and CSRF token. */
export function loggedIn(load: HttpLoad): boolean {
  return load === 'me' || load === 'post';
}

/** Whether each connection of `load` sends a session of its own. */
export function ownSessions(load: HttpLoad): boolean {
  return load !== routeOf(load);
}

export type HttpServerId =
  | 'express'
  | 'express-session'
  | 'express-session-no-touch'
  | 'nest-sessions'
  | 'nest-sessions-current'
  | 'nest-sessions-no-context'
  | 'nest'
  | 'nest-twin'
  | 'nest-typeorm'
  | 'pg-select';

export interface HttpServer {
  readonly id: HttpServerId;
  readonly label: string;
  /** The compiled entry that serves it, and its argument if it serves several. */
  readonly entry:
    | 'http-express-server.js'
    | 'http-nest-server.js'
    | 'http-pg-select-server.js';
  readonly variant?: string;
  /** Whether `/write` creates a session whose cookie the loads then send. */
  readonly sessions: boolean;
  readonly loads: readonly HttpLoad[];
  /**
   * Run without `--servers`; a server that only tells where time goes is
   * run when asked for.
   * @default true
   */
  readonly byDefault?: boolean;
}

export const HTTP_SERVERS: readonly HttpServer[] = [
  {
    id: 'express',
    label: 'Express, no session (ceiling)',
    entry: 'http-express-server.js',
    variant: 'plain',
    sessions: false,
    loads: ['none'],
  },
  {
    id: 'express-session',
    label: 'express-session + connect-pg-simple',
    entry: 'http-express-server.js',
    variant: 'touch',
    sessions: true,
    loads: ['none', 'read', 'read-own', 'write', 'write-own', 'me', 'post'],
  },
  {
    id: 'express-session-no-touch',
    label: 'express-session + connect-pg-simple, `disableTouch`',
    entry: 'http-express-server.js',
    variant: 'no-touch',
    sessions: true,
    // disableTouch changes what a request that does not write costs.
    loads: ['none', 'read', 'read-own'],
  },
  {
    id: 'nest-sessions',
    label: 'Nest + nest-sessions',
    entry: 'http-nest-server.js',
    variant: 'sessions',
    sessions: true,
    loads: ['none', 'read', 'read-own', 'write', 'write-own', 'me', 'post'],
  },
  {
    // An app that takes its sessions through SessionService.current().
    id: 'nest-sessions-current',
    label: 'Nest + nest-sessions, through `SessionService.current()`',
    entry: 'http-nest-server.js',
    variant: 'sessions-current',
    sessions: true,
    loads: ['none', 'read'],
  },
  {
    // requestContext: false: requests run outside the request context, which
    // costs every request something on Node 20.
    id: 'nest-sessions-no-context',
    label: 'Nest + nest-sessions, `requestContext: false`',
    entry: 'http-nest-server.js',
    variant: 'sessions-no-context',
    sessions: true,
    loads: ['none', 'read'],
    byDefault: false,
  },
  {
    id: 'nest',
    label: 'Nest, no session (ceiling)',
    entry: 'http-nest-server.js',
    variant: 'plain',
    sessions: false,
    // The same routes as nest-sessions: without a session, a `-own` load
    // is its route's load, so its figures are each route's ceiling.
    loads: ['none', 'read', 'write'],
  },
  {
    // The Nest ceiling again, in a second process: the two differ by what
    // the machine's noise alone gives, the resolution of a ratio.
    id: 'nest-twin',
    label: 'Nest, no session (ceiling), a second process',
    entry: 'http-nest-server.js',
    variant: 'plain',
    sessions: false,
    loads: ['none', 'read', 'write'],
    byDefault: false,
  },
  {
    // The app nest-sessions runs in, less SessionsModule: what the app's
    // other modules cost a request, apart from sessions.
    id: 'nest-typeorm',
    label: 'Nest + TypeORM + ScheduleModule, no session',
    entry: 'http-nest-server.js',
    variant: 'typeorm',
    sessions: false,
    loads: ['none'],
    byDefault: false,
  },
  {
    // No session library: one prepared SELECT of the session's row per
    // /read. nest-sessions reads the sessions asked for in one turn of the
    // event loop with one SELECT; beside this server its figures show what
    // that batching buys. It serves the reads only (its /write only creates
    // the sessions whose cookies the loads send).
    id: 'pg-select',
    label: 'Express + pg, one prepared SELECT per request, no session library',
    entry: 'http-pg-select-server.js',
    sessions: true,
    loads: ['read', 'read-own'],
  },
];

/** What a server process prints on stdout once it listens. */
export interface ServerReady {
  readonly port: number;
}
