/**
 * SQL giving a timestamp as exact ISO 8601 text, whatever the connection's
 * `DateStyle`: text the cleanup can hand back as a bound, to the microsecond.
 */
export function isoText(expression: string): string {
  return `to_json(${expression}) #>> '{}'`;
}
