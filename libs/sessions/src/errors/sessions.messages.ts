/**
 * The messages of the errors the library throws, in one place: each says
 * what was wrong and what to do. (The checks of the module's options word
 * their own problems, from the option's name and what it takes, in
 * `options/`.)
 */
export const SESSIONS_MESSAGES = {
  // Errors of the public API.
  misconfigured: (problems: readonly string[]) =>
    problems.length === 1
      ? `SessionsModule is misconfigured: ${problems[0]}`
      : `SessionsModule is misconfigured (${problems.length} problems):` +
        problems.map((problem) => `\n  - ${problem}`).join(''),
  storeFailed: (operation: string, cause: string) =>
    `The session store could not ${operation}: ${cause}`,
  sessionInterrupted: () =>
    "The request's session was deleted before the request completed. " +
    'The user may have logged out in a concurrent request, for example.',
  notJson: (key: string, reason: string) =>
    `The session value for key ${JSON.stringify(key)} cannot be stored: ${reason}. ` +
    'Session data must be JSON: strings, numbers, booleans, null, arrays and plain objects.',
  cookieTooLarge: (cookieName: string, size: number, limit: number) =>
    `The session cookie '${cookieName}' would take ${size} bytes, over the ${limit} bytes ` +
    'a browser keeps for one cookie (name and value), so it was not set and the session was not saved. ' +
    "Store less in the session (an id, not the record it names), or use a server-side store ('db', 'cached_db', 'cache' or 'file').",
  cookieTooLargeAnswer: () =>
    'The session grew too large to keep in its cookie, so it was not saved.',
  storeUnavailableAnswer: () =>
    'Sessions are unavailable for a moment; try again shortly.',
  cacheTimeout: (operation: string, timeoutMs: number) =>
    `The session cache did not ${operation} within ${timeoutMs} ms: ` +
    'check that the cache server (Redis) is up and reachable from this app.',
  cleanupConflict: () =>
    'Sessions of a cleanup batch were changed by another transaction while the batch deleted them; ' +
    'the batch was rolled back and its sessions stay for the next run.',
  /** Why `@CurrentSession()` or `SessionService.current()` found no request session. */
  noRequestSession: {
    outside:
      'There is no request session here. @CurrentSession() and SessionService.current() work ' +
      'while SessionsModule handles an HTTP request (in services, guards, interceptors, pipes, ' +
      'filters and handlers), with SessionsModule imported in the application module. Elsewhere, use ' +
      'SessionService.load(key) with a known session key.',
    'turned-off':
      'SessionService.current() has no request context in this app: requestContext is false in ' +
      "SessionsModule's options. Remove it (or set it to true), or take the session with " +
      '@CurrentSession(), which needs no context.',
  },

  // The request layer's ArgumentsHost, for Nest's exception filter.
  notRpc: () => 'Not an RPC context: the request is HTTP.',
  notWs: () => 'Not a WebSocket context: the request is HTTP.',

  // Setting up the module.
  asyncOptionsWithoutFactory: () =>
    'SessionsModule.forRootAsync() needs useFactory, useClass or useExisting.',
  optionsNotAnObject: (source: string, given: string) =>
    `${source} must give an options object, got ${given}.`,
  noDataSource: (store: string, dataSource: string, entity: string) =>
    `the '${store}' store needs a TypeORM data source${dataSource === 'default' ? '' : ` named '${dataSource}'`}, ` +
    `and there is none: import TypeOrmModule.forRoot() (or forRootAsync()) in your application module, ` +
    `with autoLoadEntities: true or ${entity} in its entities, or choose another store.`,
  noScheduleModule: () =>
    `the nightly cleanup needs @nestjs/schedule: import ScheduleModule.forRoot() in your ` +
    `application module, or turn the cleanup off with cleanup: { enabled: false } ` +
    `(and run CleanupService.run() or clearsessions yourself).`,
  packageMissing: (purpose: string, name: string, install: string) =>
    `${purpose} needs the package '${name}', which is not installed: npm install ${install}`,

  // The 'db' store's data source.
  notPostgres: (type: string) =>
    `the 'db' store needs PostgreSQL, but the TypeORM data source is of type '${type}'.`,
  dataSourceNotInitialized: () =>
    `the TypeORM data source is not initialized: call dataSource.initialize() first (TypeOrmModule does it for you).`,
  entityNotRegistered: (entity: string) =>
    `the entity ${entity} is not registered with the TypeORM data source: ` +
    `set autoLoadEntities: true in TypeOrmModule.forRoot(), or add it to its 'entities' (or to your DataSource's).`,

  // The 'file' store's folder.
  folderIsAFile: (path: string) =>
    `the 'file' store's path ${path} is a file, not a folder: set 'fileStore.path' to a folder.`,
  folderCannotBeMade: (path: string, reason: string) =>
    `the 'file' store cannot make its folder ${path} (${reason}): ` +
    `set 'fileStore.path' to a folder this user may write in.`,
  folderOfAnotherUser: (path: string, owner: number, user: number) =>
    `the 'file' store's folder ${path} belongs to another user (uid ${owner}, this process runs as ${user}), ` +
    `who could read and forge sessions: set 'fileStore.path' to a folder of this user's.`,
  folderWritableByOthers: (path: string, mode: string) =>
    `other users may write in the 'file' store's folder ${path} (mode ${mode}), ` +
    `and so forge sessions: run \`chmod 700 ${path}\`, or set 'fileStore.path' to a folder of this user's alone.`,
  keyNotAFileName: () =>
    "newSessionKey() made a key the 'file' store cannot name a file after: " +
    'keys must be 8 to 40 characters from [a-z0-9].',

  // Stores at work.
  noFreeKey: (attempts: number) =>
    `Could not find a free session key in ${attempts} attempts: is the random number source broken?`,
  cacheDidNotStore: () => 'The session cache did not store the session.',
  cacheDidNotClear: () => 'The session cache failed to clear.',

  // Sessions.
  csrfRefused: (reason: string) =>
    `CSRF check failed: ${reason}. Forms must send the token of csrf.token() ` +
    "in the field 'csrfmiddlewaretoken', scripts in the X-CSRFToken header.",
  csrfTokenMissing: () =>
    "the request has no CSRF token (neither an X-CSRFToken header nor a 'csrfmiddlewaretoken' field)",
  csrfTokenIncorrect: () =>
    "the CSRF token is not the session's (the page is older than the session, or came from elsewhere)",
  userSessionsUnsupported: (store: string) =>
    `The session store ${store} cannot list or revoke a user's sessions: it keeps no index of sessions by user. ` +
    "Use the 'db' or 'cached_db' store for per-user sessions.",
  userColumnsMissing: (entity: string) =>
    `The session entity ${entity} has no users' columns, so the store cannot list or revoke a user's sessions. ` +
    'Extend AbstractUserSessionEntity instead of AbstractSessionEntity, and add its columns to the table ' +
    '(the migration AddSessionUsers1796601600000 does it for the session table).',
  loginRequired: () =>
    'This page is for logged-in users, and the request has no logged-in session.',
  maxLifetimeNeedsColumns: (entity: string) =>
    `'maxLifetime' needs the session entity's created_at column, and ${entity} has none: ` +
    'extend AbstractUserSessionEntity instead of AbstractSessionEntity.',
  maxLifetimeUnsupported: (store: string) =>
    `'maxLifetime' needs a store that caps sessions at it, and ${store} does not: use the 'db' or 'cached_db' store.`,
  hashKeysUnsupported: (store: string) =>
    `'hashKeys' needs a store that keeps hashes of the keys, and ${store} does not: use the 'db' or 'cached_db' store.`,
  invalidUserId: () =>
    'login() takes a user id of 1 to 255 characters (a number is turned into text)',
  invalidExpiryDate: () => 'setExpiry() got an invalid Date',
  notANumber: (kind: string) =>
    `increment() adds to a number (or to nothing), and the session holds ${kind} there`,
  invalidIncrement: (amount: string) =>
    `increment() takes a finite number that keeps the sum finite, got ${amount}`,
  invalidExpiry: () =>
    'setExpiry() takes a whole number of seconds (up to 100 years), a Date, 0 or null',

  // The cleanup.
  cleanupMode: (mode: string) =>
    `CleanupService.run(): 'mode' must be 'raw' or 'events', got ${mode}.`,
  cleanupBatchSize: (max: number, batchSize: string) =>
    `CleanupService.run(): 'batchSize' must be a whole number from 1 to ${max}, got ${batchSize}.`,
  cleanupFailed: () => 'the cleanup failed',
  outboxMissing: (table: string) =>
    `@AfterSessionsExpired() needs the outbox table ${table}, which does not exist: ` +
    "add sessionMigrations to your DataSource's migrations and run them (migrationsRun: true, or the TypeORM CLI).",
  afterCommitFailed: (keys: number, reason: string) =>
    `@AfterSessionsExpired() failed for a committed cleanup batch; its ${keys} keys stay in the outbox ` +
    `and the next run calls the handlers with them again: ${reason}`,
  afterCommitFailedAgain: (batches: number) =>
    `@AfterSessionsExpired() failed for ${batches} cleanup batches in this run in all; ` +
    'their keys stay in the outbox for the next run.',
  runnerNotConnected: () =>
    'The cleanup used a query runner it did not connect (connectRunner()).',
  commandMode: (mode: string) =>
    `--mode must be 'raw' or 'events', got '${mode}'.`,
  commandBatchSize: (max: number, batchSize: string) =>
    `--batch-size must be a whole number from 1 to ${max}, got '${batchSize}'.`,
} as const;
