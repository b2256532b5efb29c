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
  store: 'db',
  dataSource: 'default',
} as const;
