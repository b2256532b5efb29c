/** What the origin check reads from a request. */
export interface CsrfRequestOrigin {
  /** `'http'` or `'https'`, as the adapter sees the request (behind a proxy: with `trust proxy`). */
  readonly protocol: string;
  /** The `Host` header. */
  readonly host: string | undefined;
  /** The `Origin` header. */
  readonly origin: string | undefined;
  /** The `Referer` header. */
  readonly referer: string | undefined;
}

/**
 * Why an unsafe request's origin is refused, or `null` when the request may
 * go on to the token check, as Django checks: an `Origin` header must be
 * the site's own origin or a trusted one; without it, an HTTPS request must
 * come with a `Referer` from an HTTPS page of the site's host or a trusted
 * one (a plain HTTP request has nothing to prove it).
 *
 * `trustedOrigins` are origins such as `'https://example.com'`, or
 * `'https://*.example.com'` for every subdomain.
 */
export function whyCsrfOriginRefused(
  request: CsrfRequestOrigin,
  trustedOrigins: readonly string[],
): string | null {
  const { protocol, host, origin, referer } = request;
  if (origin !== undefined) {
    return origin === `${protocol}://${host}` ||
      trustedOrigins.some((trusted) => originMatches(origin, trusted))
      ? null
      : `the Origin header (${origin}) is neither this site's origin nor a trusted one (csrf.trustedOrigins)`;
  }
  if (protocol !== 'https') {
    return null;
  }
  if (referer === undefined) {
    return 'an HTTPS request without an Origin header must have a Referer header, and it has none';
  }
  const url = parseUrl(referer);
  if (url === null || url.host === '') {
    return 'the Referer header is not a URL';
  }
  if (url.protocol !== 'https:') {
    return 'the Referer header is not an HTTPS page, while the request is HTTPS';
  }
  return url.host === host ||
    trustedOrigins.some((trusted) => originMatches(url.origin, trusted))
    ? null
    : `the Referer header (${url.origin}) is neither this site nor a trusted origin (csrf.trustedOrigins)`;
}

/** Whether `origin` is `trusted`, or one of its subdomains when it has `*.`. */
function originMatches(origin: string, trusted: string): boolean {
  const wildcard = trusted.indexOf('://*.');
  if (wildcard === -1) {
    return origin === trusted;
  }
  const scheme = trusted.slice(0, wildcard + 3);
  const domain = trusted.slice(wildcard + 4); // '.example.com'
  return origin.startsWith(scheme) && origin.endsWith(domain);
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}
