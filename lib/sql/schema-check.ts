import type { DataSource } from 'typeorm';
import { tableLocation } from './table-location.js';

const CREATE_TABLE = /^\s*CREATE TABLE IF NOT EXISTS\s+(\S+)/i;

/**
 * The tables the DDL creates that do not exist yet, as written in the DDL (quoted, qualified).
 * Probing each with an empty SELECT works alike on every database and in any schema.
 */
export async function findMissingTables(
  dataSource: DataSource,
  statements: readonly string[],
): Promise<string[]> {
  const tables = statements.flatMap((s) => CREATE_TABLE.exec(s)?.[1] ?? []);
  const missing: string[] = [];
  await tableLocation(dataSource, {}).sql.withRunner(async (runner) => {
    for (const table of tables) {
      try {
        await runner.query(`SELECT 1 FROM ${table} WHERE 1 = 0`);
      } catch {
        missing.push(table);
      }
    }
  });
  return missing;
}
