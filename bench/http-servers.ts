/** What `npm run bench:http` loads, and the servers it loads it on. */

/**
 * A load: a route, with every connection sending one pre-created session's
 * cookie (`'write-own'`: `/write`, each connection with a session of its own).
 */
export type HttpLoad = 'none' | 'read' | 'write' | 'write-own';

export type HttpServerId =
  | 'express'
  | 'express-session'
  | 'express-session-no-touch'
  | 'nest-sessions'
  | 'nest-sessions-current'
  | 'nest'
  | 'nest-twin'
  | 'nest-typeorm';

export interface HttpServer {
  readonly id: HttpServerId;
  readonly label: string;
  /** The compiled entry that serves it, and its argument. */
  readonly entry: 'http-express-server.js' | 'http-nest-server.js';
  readonly variant: string;
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
    loads: ['none', 'read', 'write', 'write-own'],
  },
  {
    id: 'express-session-no-touch',
    label: 'express-session + connect-pg-simple, `disableTouch`',
    entry: 'http-express-server.js',
    variant: 'no-touch',
    sessions: true,
    // disableTouch changes what a request that does not write costs.
    loads: ['none', 'read'],
  },
  {
    id: 'nest-sessions',
    label: 'Nest + nest-sessions',
    entry: 'http-nest-server.js',
    variant: 'sessions',
    sessions: true,
    loads: ['none', 'read', 'write', 'write-own'],
  },
  {
    // An app that calls SessionService.current() (it injects
    // SessionService): its requests run in the request context, which
    // costs every request on Node 20.
    id: 'nest-sessions-current',
    label: 'Nest + nest-sessions, through `SessionService.current()`',
    entry: 'http-nest-server.js',
    variant: 'sessions-current',
    sessions: true,
    loads: ['none', 'read'],
  },
  {
    id: 'nest',
    label: 'Nest, no session (ceiling)',
    entry: 'http-nest-server.js',
    variant: 'plain',
    sessions: false,
    // The same routes and loads as nest-sessions (but write-own, which is
    // write without a session): its figures are each load's ceiling.
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
];

/** What a server process prints on stdout once it listens. */
export interface ServerReady {
  readonly port: number;
}
