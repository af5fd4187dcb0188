import type { Command } from 'commander';
import { StoreSchema } from '../nest/store-schema.js';
import type { CliContext } from './cli-context.js';

/** `schema sql | migrate`: the tables the library keeps in the store's database. */
export function registerSchemaCommands(program: Command, context: CliContext): void {
  const schema = program
    .command('schema')
    .summary("print or create the library's tables")
    .description("The library's tables (events, snapshots, subscriptions, ...) in the database.");

  schema
    .command('sql')
    .summary('print the DDL of every table, for a DBA')
    .description(
      'Print the DDL of every table the library keeps, for a DBA to review or apply by hand ' +
        '(psql, mysql, sqlite3). Each statement is idempotent (CREATE ... IF NOT EXISTS) and ends ' +
        'with ";".',
    )
    .action(async () => {
      const tables = await context.get(StoreSchema);
      const statements = tables.schemaSql();
      if (statements.length === 0) {
        context.note('the in-memory event store keeps no tables: there is no SQL to print');
        return;
      }
      context.print(renderSchemaSql(statements));
    });

  schema
    .command('migrate')
    .summary('create every missing table')
    .description(
      'Create every missing table the library keeps. Safe to run again, and from several ' +
        'processes at once.',
    )
    .action(async () => {
      const tables = await context.get(StoreSchema);
      await tables.migrate();
      const count = tables.schemaSql().length;
      context.print(
        count === 0
          ? 'nothing to migrate: the in-memory event store keeps no tables'
          : `schema up to date: ${count} idempotent statements run`,
      );
    });

  schema.addHelpText(
    'after',
    `
The application creates its tables at startup unless it is built with { migrate: false }; with
migrate: false, run "schema migrate" (or apply the output of "schema sql") before deploying it.`,
  );
}

/**
 * The statements, each ended by `;` and a newline, ready for psql, mysql or sqlite3 (a MySQL
 * procedure between DELIMITER lines). A statement two parts share (`CREATE SCHEMA IF NOT EXISTS
 * ...`) is printed once.
 */
export function renderSchemaSql(statements: string[]): string {
  return [...new Set(statements)]
    .map((statement) =>
      // A body with statements of its own (the MySQL append procedure) needs the mysql client's
      // DELIMITER, or the client would cut it at its first semicolon.
      statement.startsWith('CREATE PROCEDURE')
        ? `DELIMITER //\n${statement} //\nDELIMITER ;\n`
        : `${statement};\n`,
    )
    .join('');
}
