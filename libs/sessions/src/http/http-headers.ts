import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

// Reading the session cookie, and adding to a response's headers.

/**
 * The value of the cookie `name` in a `Cookie` request header, or
 * `undefined`. The first occurrence wins, as browsers send the most specific
 * path first; a quoted value is unquoted. Values are not percent-decoded:
 * session keys never need it.
 */
export function readCookie(
  header: string | string[] | undefined,
  name: string,
): string | undefined {
  if (header === undefined) {
    return undefined;
  }
  const source = Array.isArray(header) ? header.join('; ') : header;
  for (const pair of source.split(';')) {
    const separator = pair.indexOf('=');
    if (separator !== -1 && pair.slice(0, separator).trim() === name) {
      const value = pair.slice(separator + 1).trim();
      return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
        ? value.slice(1, -1)
        : value;
    }
  }
  return undefined;
}

/**
 * Adds a `Set-Cookie` value to the response, beside those already there;
 * into `givenHeaders` when those (about to be given to `writeHead()`, which
 * win over the ones set before) have their own `Set-Cookie`.
 */
export function appendSetCookie(
  response: ServerResponse,
  givenHeaders: OutgoingHttpHeaders | undefined,
  value: string,
): void {
  const given = givenHeaderName(givenHeaders, 'set-cookie');
  if (given === undefined) {
    response.appendHeader('Set-Cookie', value);
    return;
  }
  const current = givenHeaders![given];
  givenHeaders![given] = [
    ...(Array.isArray(current) ? current : [String(current)]),
    value,
  ];
}

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
 * Adds `Cookie` to the response's `Vary`, as Django's `patch_vary_headers`.
 * Headers about to be given to `writeHead()` win over those set before, so
 * a `Vary` among them is the one patched.
 */
export function addVaryCookie(
  response: ServerResponse,
  givenHeaders: OutgoingHttpHeaders | undefined,
): void {
  const given = givenHeaderName(givenHeaders, 'vary');
  if (given !== undefined) {
    givenHeaders![given] =
      varyWithCookie(givenHeaders![given]) ?? givenHeaders![given];
    return;
  }
  const vary = varyWithCookie(response.getHeader('Vary'));
  if (vary !== undefined) {
    response.setHeader('Vary', vary);
  }
}

/**
 * How `name` is spelled among the headers given to `writeHead()`, if it is
 * there (header names are case-insensitive).
 */
export function givenHeaderName(
  givenHeaders: OutgoingHttpHeaders | undefined,
  name: string,
): string | undefined {
  return givenHeaders === undefined
    ? undefined
    : Object.keys(givenHeaders).find((given) => given.toLowerCase() === name);
}
