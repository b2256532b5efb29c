import { describe, isPlainObject } from './option-checks.js';

/** The `csrf` options with their defaults filled in. */
export interface ResolvedCsrfOptions {
  readonly trustedOrigins: readonly string[];
}

const CSRF_KEYS = ['trustedOrigins'];

/** `csrf`, checked; each problem goes to `problems`. */
export function resolveCsrfOptions(
  options: unknown,
  problems: string[],
): ResolvedCsrfOptions {
  if (options === undefined) {
    return { trustedOrigins: [] };
  }
  if (!isPlainObject(options)) {
    problems.push(`'csrf' must be an object, got ${describe(options)}.`);
    return { trustedOrigins: [] };
  }
  for (const key of Object.keys(options)) {
    if (!CSRF_KEYS.includes(key)) {
      problems.push(
        `unknown option 'csrf.${key}' (known: ${CSRF_KEYS.join(', ')}).`,
      );
    }
  }
  const trustedOrigins = options.trustedOrigins ?? [];
  if (
    !Array.isArray(trustedOrigins) ||
    !trustedOrigins.every(isOriginPattern)
  ) {
    problems.push(
      `'csrf.trustedOrigins' must be a list of origins such as 'https://example.com' ` +
        `or 'https://*.example.com' (scheme and host, no path), got ${describe(trustedOrigins)}.`,
    );
    return { trustedOrigins: [] };
  }
  return { trustedOrigins: [...(trustedOrigins as string[])] };
}

/** An origin as browsers send it, or one with `*.` before its domain. */
function isOriginPattern(value: unknown): boolean {
  if (typeof value !== 'string') {
    return false;
  }
  const plain = value.replace('://*.', '://wildcard.');
  try {
    const url = new URL(plain);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      url.origin === plain
    );
  } catch {
    return false;
  }
}
