/** Defaults of the module options; the cookie's are Django's settings. */
export const SESSIONS_DEFAULTS = {
  cookie: {
    name: 'sessionid',
    maxAge: 60 * 60 * 24 * 7 * 2,
    path: '/',
    secure: false,
    httpOnly: true,
    sameSite: 'lax',
  },
  saveEveryRequest: false,
  expireAtBrowserClose: false,
  requestContext: true,
  cleanup: {
    enabled: true,
    cron: '0 3 * * *',
    mode: 'raw',
    batchSize: 5000,
  },
  cache: {
    namespace: 'sessions',
  },
  fileStore: {
    /** Under the OS temp folder. */
    folder: 'nest-sessions',
  },
  store: 'db',
  dataSource: 'default',
} as const;
