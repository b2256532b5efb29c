/**
 * Why a value cannot be stored as JSON without changing, or `null` when it
 * can: JSON's own types only, so that what is read back is what was set.
 * (A `Date` would come back as a string, a `Map` as `{}`, `NaN` as `null`.)
 */
export function whyNotJson(value: unknown): string | null {
  return check(value, new Set());
}

function check(value: unknown, ancestors: Set<object>): string | null {
  switch (typeof value) {
    case 'string':
      return whyNotStorableText(value);
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `${value} is not a JSON number`;
    case 'object':
      return value === null ? null : checkObject(value, ancestors);
    case 'undefined':
      return 'undefined is not a JSON value';
    default:
      return `a ${typeof value} is not a JSON value`;
  }
}

function checkObject(value: object, ancestors: Set<object>): string | null {
  if (ancestors.has(value)) {
    return 'it contains itself (a circular structure)';
  }
  const isArray = Array.isArray(value);
  const prototype: unknown = Object.getPrototypeOf(value);
  if (!isArray && prototype !== Object.prototype && prototype !== null) {
    const name =
      (value as { constructor?: { name?: string } }).constructor?.name ??
      'object';
    return `a ${name} is not a plain object (convert it, e.g. a Date with toISOString())`;
  }
  ancestors.add(value);
  for (const [key, item] of Object.entries(value)) {
    const badKey = isArray ? null : whyNotStorableText(key);
    if (badKey !== null) {
      ancestors.delete(value);
      return `property name ${JSON.stringify(key)}: ${badKey}`;
    }
    // JSON leaves out object properties that are undefined, as JavaScript readers expect.
    if (item === undefined && !isArray) {
      continue;
    }
    const reason = check(item, ancestors);
    if (reason !== null) {
      ancestors.delete(value);
      return `${isArray ? `item ${key}` : `property ${JSON.stringify(key)}`}: ${reason}`;
    }
  }
  ancestors.delete(value);
  return null;
}

/**
 * Why PostgreSQL's `jsonb` (and other stores) would refuse this text, or
 * `null` when it is fine: NUL characters and lone UTF-16 surrogates.
 */
export function whyNotStorableText(text: string): string | null {
  if (text.includes('\u0000')) {
    return 'it contains a NUL character (\\u0000)';
  }
  return text.isWellFormed()
    ? null
    : 'it contains a lone UTF-16 surrogate (not well-formed Unicode)';
}
