/**
 * How MySQL/MariaDB times cross the wire, in one place. Columns are DATETIME(6) holding UTC: the
 * library writes UTC text itself (whatever the session time zone) and reads it back as ISO-8601,
 * which `new Date()` takes without a driver's time-zone conversion.
 */

/** A select expression: `column` as ISO-8601 UTC text, under the column's own name. */
export function mysqlReadTime(column: string): string {
  return `DATE_FORMAT(${column}, '%Y-%m-%dT%H:%i:%s.%fZ') AS ${column}`;
}

/** `2024-05-01T12:00:00.123456Z` (a Date's ISO text, or one with microseconds) as a DATETIME(6) literal. */
export function mysqlDateTime(time: Date | string): string {
  const iso = typeof time === 'string' ? time : time.toISOString();
  return iso.replace('T', ' ').replace('Z', '');
}
