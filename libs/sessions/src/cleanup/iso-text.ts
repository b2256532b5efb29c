/**
 * SQL giving a timestamp as exact ISO 8601 text, whatever the connection's
 * `DateStyle`: text the cleanup can hand back as a bound, to the microsecond.
 * The offset it shows follows the connection's `TimeZone`: compare instants
 * in SQL, not as text from different connections.
 */
export function isoText(expression: string): string {
  return `to_json(${expression}) #>> '{}'`;
}
