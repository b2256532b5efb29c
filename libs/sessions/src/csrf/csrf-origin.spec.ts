import { type CsrfRequestOrigin, whyCsrfOriginRefused } from './csrf-origin.js';

const https = (headers: Partial<CsrfRequestOrigin>): CsrfRequestOrigin => ({
  protocol: 'https',
  host: 'www.example.com',
  origin: undefined,
  referer: undefined,
  ...headers,
});
const http = (headers: Partial<CsrfRequestOrigin>): CsrfRequestOrigin => ({
  ...https(headers),
  protocol: 'http',
});

describe('whyCsrfOriginRefused (as Django checks Origin and Referer)', () => {
  it("accepts the site's own origin, on HTTP and HTTPS", () => {
    expect(
      whyCsrfOriginRefused(https({ origin: 'https://www.example.com' }), []),
    ).toBeNull();
    expect(
      whyCsrfOriginRefused(http({ origin: 'http://www.example.com' }), []),
    ).toBeNull();
    expect(
      whyCsrfOriginRefused(
        http({ host: 'localhost:3000', origin: 'http://localhost:3000' }),
        [],
      ),
    ).toBeNull();
  });

  it('refuses another origin, another scheme or port of the site, and null', () => {
    for (const origin of [
      'https://evil.example',
      'http://www.example.com',
      'https://www.example.com:8443',
      'null',
    ]) {
      expect([origin, whyCsrfOriginRefused(https({ origin }), [])]).toEqual([
        origin,
        expect.stringContaining(`the Origin header (${origin}) is neither`),
      ]);
    }
  });

  it('accepts a trusted origin, and the subdomains of a *. one', () => {
    const trusted = ['https://app.example.org', 'https://*.example.net'];

    for (const origin of [
      'https://app.example.org',
      'https://a.example.net',
      'https://a.b.example.net',
    ]) {
      expect(whyCsrfOriginRefused(https({ origin }), trusted)).toBeNull();
    }
    for (const origin of [
      'http://app.example.org',
      'https://example.net',
      'https://evilexample.net',
      'https://a.example.net.evil',
    ]) {
      expect(whyCsrfOriginRefused(https({ origin }), trusted)).not.toBeNull();
    }
  });

  it('asks nothing more of a plain HTTP request without Origin (the token decides)', () => {
    expect(whyCsrfOriginRefused(http({}), [])).toBeNull();
  });

  it('needs, over HTTPS without Origin, a Referer from an HTTPS page of the site or a trusted origin', () => {
    expect(
      whyCsrfOriginRefused(
        https({ referer: 'https://www.example.com/notes?x=1' }),
        [],
      ),
    ).toBeNull();
    expect(
      whyCsrfOriginRefused(https({ referer: 'https://a.example.net/' }), [
        'https://*.example.net',
      ]),
    ).toBeNull();

    expect(whyCsrfOriginRefused(https({}), [])).toMatch(
      /without an Origin header must have a Referer header/,
    );
    expect(whyCsrfOriginRefused(https({ referer: 'not a url' }), [])).toMatch(
      /Referer header is not a URL/,
    );
    expect(
      whyCsrfOriginRefused(https({ referer: 'http://www.example.com/' }), []),
    ).toMatch(/not an HTTPS page/);
    expect(
      whyCsrfOriginRefused(https({ referer: 'https://evil.example/' }), []),
    ).toMatch(/the Referer header \(https:\/\/evil\.example\) is neither/);
  });
});
