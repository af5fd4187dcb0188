/**
 * DDL of `<prefix>projection_parked` (the keys partitioned projections parked). One statement per
 * database kind; `bucket` rather than `partition`, a reserved word in MySQL.
 */
export function parkedPartitionDdl(
  type: string,
  table: string,
  schema: string | undefined,
): string[] {
  if (type === 'postgres') {
    return [
      ...(schema ? [`CREATE SCHEMA IF NOT EXISTS "${schema}"`] : []),
      `CREATE TABLE IF NOT EXISTS ${table} (
  projection VARCHAR(200) NOT NULL,
  partition_key VARCHAR(255) NOT NULL,
  bucket INTEGER NOT NULL,
  event_id VARCHAR(64) NOT NULL,
  event_type VARCHAR(255) NOT NULL,
  stream_id VARCHAR(255) NOT NULL,
  version INTEGER NOT NULL,
  position BIGINT NOT NULL,
  checkpoint TEXT NOT NULL,
  error TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  parked_at TIMESTAMPTZ NOT NULL,
  retry_requested_at TIMESTAMPTZ NULL,
  PRIMARY KEY (projection, partition_key)
)`,
    ];
  }
  if (type === 'mysql' || type === 'mariadb') {
    return [
      ...(schema ? [`CREATE DATABASE IF NOT EXISTS \`${schema}\``] : []),
      `CREATE TABLE IF NOT EXISTS ${table} (
  projection VARCHAR(200) NOT NULL,
  partition_key VARCHAR(255) NOT NULL,
  bucket INT NOT NULL,
  event_id VARCHAR(64) NOT NULL,
  event_type VARCHAR(255) NOT NULL,
  stream_id VARCHAR(255) NOT NULL,
  version INT NOT NULL,
  position BIGINT NOT NULL,
  checkpoint TEXT NOT NULL,
  error TEXT NOT NULL,
  attempts INT NOT NULL,
  parked_at DATETIME(6) NOT NULL,
  retry_requested_at DATETIME(6) NULL,
  PRIMARY KEY (projection, partition_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
    ];
  }
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
  projection TEXT NOT NULL,
  partition_key TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  stream_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  position INTEGER NOT NULL,
  checkpoint TEXT NOT NULL,
  error TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  parked_at TEXT NOT NULL,
  retry_requested_at TEXT NULL,
  PRIMARY KEY (projection, partition_key)
)`,
  ];
}
