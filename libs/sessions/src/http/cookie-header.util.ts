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
