import type { DataSource } from 'typeorm';
import type { SchemaPart } from '../core/schema-part.js';
import { SagaSql, type TypeOrmSagaStoreOptions } from './saga-sql.js';

/**
 * The saga tables, `<prefix>saga_failures` and `<prefix>scheduled_messages`, as one part of the
 * connection's schema (`EventStoreConnection.addSchemaPart`), so `schemaSql()` lists them.
 */
export class TypeOrmSagaSchema implements SchemaPart {
  private readonly db: SagaSql;

  constructor(dataSource: DataSource, options: TypeOrmSagaStoreOptions = {}) {
    this.db = new SagaSql(dataSource, options);
  }

  /** Idempotent DDL, for a DBA to review or apply by hand. */
  schemaSql(): string[] {
    return this.db.schemaSql();
  }

  /** Creates the tables if they are missing. Safe to run from several instances at once. */
  async migrate(): Promise<void> {
    await this.db.migrate(this.schemaSql());
  }
}
