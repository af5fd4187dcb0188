/** What differs between databases in `<prefix>projection_parked`. */
interface ParkedColumnTypes {
  int: string;
  time: string;
  /** After the closing parenthesis (engine, charset). */
  tableOptions: string;
  createSchema?: (schema: string) => string;
}

const TYPES: Record<'postgres' | 'mysql' | 'sqlite', ParkedColumnTypes> = {
  postgres: {
    int: 'INTEGER',
    time: 'TIMESTAMPTZ',
    tableOptions: '',
    createSchema: (schema) => `CREATE SCHEMA IF NOT EXISTS "${schema}"`,
  },
  mysql: {
    int: 'INT',
    time: 'DATETIME(6)',
    tableOptions: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
    createSchema: (schema) => `CREATE DATABASE IF NOT EXISTS \`${schema}\``,
  },
  // Times as ISO-8601 text, as in the saga tables.
  sqlite: { int: 'INTEGER', time: 'TEXT', tableOptions: '' },
};

/**
 * DDL of `<prefix>projection_parked` (the keys partitioned projections parked), written once;
 * `bucket` rather than `partition`, a reserved word in MySQL.
 */
export function parkedPartitionDdl(
  type: string,
  table: string,
  schema: string | undefined,
): string[] {
  const c =
    type === 'postgres'
      ? TYPES.postgres
      : type === 'mysql' || type === 'mariadb'
        ? TYPES.mysql
        : TYPES.sqlite;
  return [
    ...(schema && c.createSchema ? [c.createSchema(schema)] : []),
    `CREATE TABLE IF NOT EXISTS ${table} (
  projection VARCHAR(200) NOT NULL,
  partition_key VARCHAR(255) NOT NULL,
  bucket ${c.int} NOT NULL,
  event_id VARCHAR(64) NOT NULL,
  event_type VARCHAR(255) NOT NULL,
  stream_id VARCHAR(255) NOT NULL,
  version ${c.int} NOT NULL,
  position BIGINT NOT NULL,
  checkpoint TEXT NOT NULL,
  error TEXT NOT NULL,
  attempts ${c.int} NOT NULL,
  parked_at ${c.time} NOT NULL,
  retry_requested_at ${c.time} NULL,
  PRIMARY KEY (projection, partition_key)
)${c.tableOptions}`,
  ];
}
