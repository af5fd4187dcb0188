import type { EventTables } from './sql-dialect.js';

/**
 * The reads of an aggregate load, in `?`-SQL: only version, type, data and metadata (JSON columns
 * as text, through `text`), so a load decodes each row once. With a snapshot table, the latest
 * snapshot and the events after it come back in one statement: the snapshot row first (kind
 * 's'), then the events; all events when the stored snapshot is of another revision.
 * Parameters: `[streamId, afterVersion]`, or with the snapshot `[streamId, streamId, streamId, revision]`.
 */
export function historySql(
  t: EventTables,
  withSnapshot: boolean,
  text: (column: string) => string,
): string {
  const events = (after: string) =>
    `SELECT 'e' AS kind, version, NULL AS revision, type, ${text('data')} AS data, ` +
    `${text('metadata')} AS metadata FROM ${t.events} WHERE stream_id = ? AND version > ${after}`;
  if (!withSnapshot) return `${events('?')} ORDER BY version`;
  return `SELECT 's' AS kind, version, revision, NULL AS type, ${text('state')} AS data, NULL AS metadata
FROM ${t.snapshots} WHERE stream_id = ?
UNION ALL
${events(`COALESCE((SELECT version FROM ${t.snapshots} WHERE stream_id = ? AND revision = ?), 0)`)}
ORDER BY kind DESC, version`;
}
