import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EventSourcingModule,
  EventStore,
  EventStoreConnectionError,
  InvalidOptionsError,
  MissingTablesError,
  ProjectionManager,
  type EventSourcingModuleOptions,
} from 'nestjs-event-sourcing';
import { EventStoreTables1764547200000 } from '../../docs/snippets/production.js';
import { BalancesProjection } from '../support/balances.projection.js';
import { runCli } from '../support/cli-harness.js';
import {
  createTestDatabase,
  type DatabaseKind,
  type TestDatabase,
} from '../support/test-databases.js';

@Module({})
class ProductionApp {}

function appModule(options: EventSourcingModuleOptions): DynamicModule {
  return {
    module: ProductionApp,
    imports: [CqrsModule.forRoot(), EventSourcingModule.forRoot(options)],
    providers: [BalancesProjection],
  };
}

/** The module's own connection to the test's isolated database. */
function ownConnection(db: TestDatabase): EventSourcingModuleOptions {
  const o = db.options as { url?: string; database?: string };
  if (db.kind === 'sqlite') return { type: 'better-sqlite3', database: o.database };
  if (db.kind === 'postgres') return { type: 'postgres', url: o.url, schema: db.schema };
  return { type: 'mariadb', url: o.url };
}

const boot = (options: EventSourcingModuleOptions) =>
  NestFactory.createApplicationContext(appModule(options), { logger: false, abortOnError: false });

describe.each<DatabaseKind>(['sqlite', 'postgres', 'mariadb'])('production setup on %s', (kind) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(kind);
  });
  afterEach(async () => {
    await db.drop();
  });

  it('with migrate: false, boot names the missing tables and how to create them', async () => {
    const error = await boot({ ...ownConnection(db), migrate: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingTablesError);
    const message = (error as Error).message;
    for (const table of ['es_events', 'es_snapshots', 'es_subscriptions']) {
      expect(message).toContain(table);
    }
    expect(message).toMatch(/schema sql.*eventStoreSchemaSql|schema migrate/);
    expect((await db.dataSource.query(tablesLike(kind, db))).length).toBe(0); // created nothing
  });

  it('boots with migrate: false once a TypeORM migration built on eventStoreSchemaSql ran', async () => {
    const migrator = await new DataSource({
      ...db.options,
      migrations: [EventStoreTables1764547200000],
    }).initialize();
    await migrator.runMigrations();
    await migrator.destroy();

    const app = await boot({ ...ownConnection(db), migrate: false });
    const store = app.get(EventStore);
    await store.appendToStream('acct-1', [{ type: 'bank.account-opened', data: {} }]);
    expect(await store.streamVersion('acct-1')).toBe(1);
    await app.close();
  });

  it('the operator CLI creates the tables of an app built with migrate: false', async () => {
    const module = appModule({ ...ownConnection(db), migrate: false });
    const run = await runCli(module, 'schema', 'migrate');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const app = await boot({ ...ownConnection(db), migrate: false });
    await app.close();
  });
});

function tablesLike(kind: DatabaseKind, db: TestDatabase): string {
  if (kind === 'sqlite')
    return "SELECT name FROM sqlite_master WHERE name LIKE 'es\\_%' ESCAPE '\\'";
  if (kind === 'postgres') {
    return `SELECT table_name FROM information_schema.tables WHERE table_schema = '${db.schema}'`;
  }
  return 'SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()';
}

describe('the operator CLI and workers', () => {
  it('starts no worker in the CLI process although the module says workers: true', async () => {
    const db = await createTestDatabase('sqlite');
    try {
      const module = appModule({ ...ownConnection(db), workers: true });
      const run = await runCli(module, 'projections', 'status', '--json');
      expect(run.code).toBe(0);
      const status = JSON.parse(run.stdout) as { name: string; state: string }[];
      expect(status.find((s) => s.name === 'balances')?.state).not.toBe('running');

      const app = await boot({ ...ownConnection(db), workers: true }); // the web process: runs it
      await app.get(ProjectionManager).waitForCatchUp('balances', { timeoutMs: 10_000 });
      expect(
        (await app.get(ProjectionManager).status()).find((s) => s.name === 'balances')?.state,
      ).toBe('running');
      await app.close();
    } finally {
      await db.drop();
    }
  });
});

describe('connecting at startup', () => {
  it('retries, then names the event store and the target without credentials', async () => {
    const started = Date.now();
    const error = await boot({
      type: 'postgres',
      url: 'postgres://app:s3cret@127.0.0.1:1/shop',
      retryAttempts: 2,
      retryDelay: 50,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventStoreConnectionError);
    const message = (error as Error).message;
    expect(message).toContain('cannot connect to the event store at postgres://127.0.0.1:1/shop');
    expect(message).toContain('(3 attempts)');
    expect(message).not.toContain('s3cret');
    expect(Date.now() - started).toBeGreaterThanOrEqual(100); // it waited between the attempts
  });

  it('refuses options of its own DataSource next to a given dataSource', async () => {
    const db = await createTestDatabase('sqlite');
    try {
      const error = await boot({ dataSource: db.dataSource, entities: [] }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as Error).message).toMatch(/"entities": applies only to the DataSource/);
    } finally {
      await db.drop();
    }
  });
});
