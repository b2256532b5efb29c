import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { givenHeaderName } from './given-headers.util.js';

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
