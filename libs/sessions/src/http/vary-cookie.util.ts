import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * A `Vary` header value that also names `Cookie`, as Django's
 * `patch_vary_headers`; `undefined` when it already does (or is `*`).
 */
export function varyWithCookie(current: unknown): string | undefined {
  const existing =
    typeof current === 'string'
      ? current
      : Array.isArray(current)
        ? current.join(', ')
        : '';
  const fields = existing
    .split(',')
    .map((field) => field.trim().toLowerCase())
    .filter(Boolean);
  if (fields.includes('cookie') || fields.includes('*')) {
    return undefined;
  }
  return existing.trim() === '' ? 'Cookie' : `${existing}, Cookie`;
}

/**
 * Adds `Vary: Cookie` to the response when its headers are written, if
 * `varies()` says so then: on every path a response can take (a guard that
 * throws, an exception filter, `@Res()`), as Django's middleware does.
 */
export function varyOnCookieWhenWritten(
  response: ServerResponse,
  varies: () => boolean,
): void {
  const writeHead = response.writeHead.bind(response) as (
    ...args: unknown[]
  ) => ServerResponse;
  response.writeHead = (...args: unknown[]) => {
    if (varies()) {
      addVaryCookie(response, args);
    }
    return writeHead(...args);
  };
}

/** Headers given to `writeHead()` win over those set before, so both are patched. */
function addVaryCookie(response: ServerResponse, args: unknown[]): void {
  const given = args.find(
    (arg): arg is OutgoingHttpHeaders =>
      typeof arg === 'object' && arg !== null && !Array.isArray(arg),
  );
  const givenName =
    given && Object.keys(given).find((name) => name.toLowerCase() === 'vary');
  if (given && givenName !== undefined) {
    given[givenName] = varyWithCookie(given[givenName]) ?? given[givenName];
    return;
  }
  const vary = varyWithCookie(response.getHeader('Vary'));
  if (vary !== undefined) {
    response.setHeader('Vary', vary);
  }
}
