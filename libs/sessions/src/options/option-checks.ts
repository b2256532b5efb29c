/** Checks shared by the resolvers of the module options. */

export function booleanOption(
  name: string,
  value: unknown,
  fallback: boolean,
  problems: string[],
): boolean {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'boolean') {
    problems.push(`'${name}' must be true or false, got ${describe(value)}.`);
    return fallback;
  }
  return value;
}

export function isPlainObject(
  value: unknown,
): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describe(value: unknown): string {
  if (typeof value === 'function') {
    return `class ${value.name || '(anonymous)'}`;
  }
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  if (
    typeof value === 'bigint' ||
    typeof value === 'symbol' ||
    typeof value === 'number'
  ) {
    // JSON would say null for NaN and Infinity.
    return value.toString();
  }
  return JSON.stringify(value) ?? String(value);
}
