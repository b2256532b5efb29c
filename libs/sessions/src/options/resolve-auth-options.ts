import { describe, isPlainObject } from './option-checks.js';

/** The `auth` options, checked. */
export interface ResolvedAuthOptions {
  readonly currentHash:
    ((userId: string) => string | null | Promise<string | null>) | undefined;
}

/** `auth`, checked; each problem goes to `problems`. */
export function resolveAuthOptions(
  options: unknown,
  problems: string[],
): ResolvedAuthOptions {
  if (options === undefined) {
    return { currentHash: undefined };
  }
  if (!isPlainObject(options)) {
    problems.push(`'auth' must be an object, got ${describe(options)}.`);
    return { currentHash: undefined };
  }
  for (const key of Object.keys(options)) {
    if (key !== 'currentHash') {
      problems.push(`unknown option 'auth.${key}' (known: currentHash).`);
    }
  }
  const { currentHash } = options;
  if (currentHash !== undefined && typeof currentHash !== 'function') {
    problems.push(
      `'auth.currentHash' must be a function from a user id to the user's auth hash (or null), got ${describe(currentHash)}.`,
    );
    return { currentHash: undefined };
  }
  return {
    currentHash: currentHash as ResolvedAuthOptions['currentHash'],
  };
}
