import { eventStoreSchemaSql } from 'nestjs-event-sourcing';
import type { MigrationInterface, QueryRunner } from 'typeorm';

// #region migration
export class EventStoreTables1764547200000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    // the module's tablePrefix and schema, if you set them
    for (const sql of eventStoreSchemaSql(queryRunner.connection, { tablePrefix: 'es_' })) {
      await queryRunner.query(sql);
    }
  }

  async down(): Promise<void> {} // events are not dropped by a migration rollback
}
// #endregion migration
