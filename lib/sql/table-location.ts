import type { DataSource } from 'typeorm';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import { dialectFor } from './dialects/dialect-for.js';
import type { SqlDialect } from './dialects/sql-dialect.js';
import { SqlExecutor } from './sql-executor.js';

// Prefix and schema are written into DDL and queries, so only plain identifiers are accepted.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;

/** Where the library's tables live in a DataSource: shared by the event, subscription and saga stores. */
export interface TableLocation {
  dialect: SqlDialect;
  /** Runs SQL on the DataSource in this dialect. */
  sql: SqlExecutor;
  prefix: string;
  schema: string | undefined;
  /** The quoted, schema-qualified name of `<prefix><name>`. */
  table(name: string): string;
}

export function tableLocation(
  dataSource: DataSource,
  options: { tablePrefix?: string; schema?: string },
): TableLocation {
  const prefix = options.tablePrefix ?? 'es_';
  if (prefix !== '' && !IDENTIFIER.test(prefix)) {
    throw new InvalidOptionsError('tablePrefix', `"${prefix}" must be letters, digits and _`);
  }
  if (options.schema !== undefined && !IDENTIFIER.test(options.schema)) {
    throw new InvalidOptionsError('schema', `"${options.schema}" must be letters, digits and _`);
  }
  const dialect = dialectFor(dataSource.options.type);
  const schema = options.schema;
  return {
    dialect,
    sql: new SqlExecutor(dataSource, dialect),
    prefix,
    schema,
    table: (name) => dialect.quoteTable(schema, `${prefix}${name}`),
  };
}
