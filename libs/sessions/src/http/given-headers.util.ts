import type { OutgoingHttpHeaders } from 'node:http';

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
