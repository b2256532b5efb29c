import { resolveSessionsOptions } from '../options/resolve-options.js';
import { SessionCookieHeader } from './session-cookie-header.js';

const defaults = resolveSessionsOptions({}, {}).cookie;

describe('SessionCookieHeader', () => {
  it('holds a key for maxAge seconds, attributes in a fixed order', () => {
    const before = Date.now();
    const value = new SessionCookieHeader(defaults).holding('abc123', 60);
    const match =
      /^sessionid=abc123; Path=\/; Max-Age=60; Expires=(.+); HttpOnly; SameSite=Lax$/.exec(
        value,
      );
    expect(match).not.toBeNull();
    const expires = Date.parse(match![1]);
    expect(expires).toBeGreaterThanOrEqual(
      Math.floor(before / 1000) * 1000 + 60_000,
    );
    expect(expires).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it('has neither Max-Age nor Expires for a browser-session cookie', () => {
    expect(new SessionCookieHeader(defaults).holding('abc123', undefined)).toBe(
      'sessionid=abc123; Path=/; HttpOnly; SameSite=Lax',
    );
  });

  it('writes every attribute of the options', () => {
    const header = new SessionCookieHeader({
      ...defaults,
      name: 'sid',
      domain: '.example.com',
      path: '/app',
      secure: true,
      httpOnly: false,
      sameSite: 'none',
    });
    expect(header.holding('k', undefined)).toBe(
      'sid=k; Path=/app; Domain=.example.com; Secure; SameSite=None',
    );
    expect(header.expired).toBe(
      'sid=; Path=/app; Domain=.example.com; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; SameSite=None',
    );
  });

  it('leaves SameSite out when it is off', () => {
    const header = new SessionCookieHeader({
      ...defaults,
      sameSite: undefined,
    });
    expect(header.holding('k', undefined)).toBe(
      'sessionid=k; Path=/; HttpOnly',
    );
  });
});
