import type { DataSource } from 'typeorm';
import { InboxTable } from './inbox-table.js';
import { SqlInstanceRegistry } from './sql-instance-registry.js';
import { TypeOrmSagaSchema } from './typeorm-saga-schema.js';
import { TypeOrmParkedPartitionStore } from './typeorm-parked-partition-store.js';
import { TypeOrmSubscriptionStore } from './typeorm-subscription-store.js';
import { TypeOrmEventStore } from './typeorm-event-store.js';

/** The options of `eventStoreSchemaSql`: the same table prefix and schema as the module's. */
export interface EventStoreSchemaOptions {
  /** The module's `tablePrefix`. @default 'es_' */
  tablePrefix?: string;
  /** The module's `schema` (PostgreSQL schema or MySQL database). */
  schema?: string;
}

/**
 * The DDL of every table the library keeps (events, snapshots, subscriptions, sagas, instances,
 * the forwarding inbox), for the
 * database of `dataSource`: the same statements as the CLI's `schema sql`, each idempotent. Use it
 * in a TypeORM migration when the module runs with `migrate: false`:
 *
 * ```ts
 * async up(queryRunner: QueryRunner) {
 *   for (const sql of eventStoreSchemaSql(queryRunner.connection)) await queryRunner.query(sql);
 * }
 * ```
 */
export function eventStoreSchemaSql(
  dataSource: DataSource,
  options: EventStoreSchemaOptions = {},
): string[] {
  const tables = { tablePrefix: options.tablePrefix, schema: options.schema };
  const parts = [
    new TypeOrmEventStore(dataSource, tables),
    new TypeOrmSubscriptionStore(dataSource, tables),
    new TypeOrmSagaSchema(dataSource, tables),
    new SqlInstanceRegistry(dataSource, tables),
    new InboxTable(dataSource, tables),
    new TypeOrmParkedPartitionStore(dataSource, tables),
  ];
  return [...new Set(parts.flatMap((part) => part.schemaSql()))];
}
