import { describe, expect, it } from 'vitest';
import { renderSchemaSql } from '../../lib/cli/schema.command.js';
import { MysqlDialect } from '../../lib/sql/dialects/mysql.dialect.js';

describe('schema sql', () => {
  it('prints the MySQL append procedure between DELIMITER lines, every other statement ended by ;', () => {
    const tables = {
      events: '`es_events`',
      head: '`es_head`',
      snapshots: '`es_snapshots`',
      prefix: 'es_',
    };
    const text = renderSchemaSql(new MysqlDialect().schemaStatements(tables));
    expect(text).toContain('DELIMITER //\nCREATE PROCEDURE IF NOT EXISTS `es_append_v1`(');
    expect(text).toMatch(/\nEND \/\/\nDELIMITER ;\n/);
    const outside = text.replace(/DELIMITER \/\/\n[\s\S]*?\nDELIMITER ;\n/g, '');
    expect(outside.trim().split(';\n').filter(Boolean)).toHaveLength(4);
    expect(outside).toMatch(/^CREATE TABLE IF NOT EXISTS `es_events`/);
  });
});
