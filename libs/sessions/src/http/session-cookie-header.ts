import type { ResolvedSessionCookie } from '../options/resolve-options.js';

const SAME_SITE = { lax: 'Lax', strict: 'Strict', none: 'None' } as const;

/**
 * The session cookie's `Set-Cookie` values. The attributes come from options
 * checked at bootstrap, so they are put together once, not per response.
 */
export class SessionCookieHeader {
  /** Expires the cookie at once. */
  readonly expired: string;
  private readonly scope: string;
  private readonly flags: string;

  constructor(private readonly cookie: ResolvedSessionCookie) {
    const { path, domain, httpOnly, secure, sameSite } = cookie;
    this.scope = `; Path=${path}${domain === undefined ? '' : `; Domain=${domain}`}`;
    this.flags =
      (httpOnly ? '; HttpOnly' : '') +
      (secure ? '; Secure' : '') +
      (sameSite === undefined ? '' : `; SameSite=${SAME_SITE[sameSite]}`);
    this.expired = `${cookie.name}=${this.scope}; Max-Age=0; Expires=${new Date(0).toUTCString()}${this.flags}`;
  }

  /** A cookie that holds `key` for `maxAge` seconds, or until the browser closes. */
  holding(key: string, maxAge: number | undefined): string {
    const lifetime =
      maxAge === undefined
        ? ''
        : `; Max-Age=${maxAge}; Expires=${new Date(Date.now() + maxAge * 1000).toUTCString()}`;
    return `${this.cookie.name}=${encodeURIComponent(key)}${this.scope}${lifetime}${this.flags}`;
  }
}
