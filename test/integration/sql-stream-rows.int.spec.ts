import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlExecutor } from '../../lib/sql/sql-executor.js';
import { TypeOrmEventStore } from '../../lib/sql/typeorm-event-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.js';

// `eachRow`: rows handed over one by one as they arrive (mysql2), for aggregate loads; readHistory
// decodes the same either way.
describe.each(['sqlite', 'postgres', 'mariadb'] as const)('rows to eachRow on %s', (kind) => {
  let db: TestDatabase;
  let store: TypeOrmEventStore;
  let sql: SqlExecutor;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    store = new TypeOrmEventStore(db.dataSource, { schema: db.schema });
    await store.migrate();
    sql = new SqlExecutor(db.dataSource, store.dialect);
    const events = Array.from({ length: 300 }, (_, i) => ({
      type: 'noted',
      data: i % 2 ? { i, text: 'é' } : `plain text ${i}`,
    }));
    await store.appendToStream('note-1', events);
  });
  afterAll(async () => {
    await db.drop();
  });

  const select = () =>
    `SELECT version FROM ${store.dialect.quoteTable(db.schema, 'es_events')} WHERE stream_id = ? ORDER BY version`;

  it('streams the rows to eachRow on MariaDB, in order; elsewhere returns them as usual', async () => {
    for (const prepared of [true, false]) {
      const versions: number[] = [];
      const result = await sql.pooled((run) =>
        run(select(), ['note-1'], {
          prepared,
          eachRow: (row) => versions.push(Number(row.version)),
        }),
      );
      const streams = kind === 'mariadb' && prepared;
      expect(result.streamed ?? false).toBe(streams);
      const rows = streams ? versions : result.records.map((row) => Number(row.version));
      expect(rows).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      if (!streams) expect(versions).toEqual([]);
    }
  });

  it('fails with the database error of a bad statement', async () => {
    await expect(
      sql.pooled((run) =>
        run('SELECT no_such_column FROM es_nowhere', [], { prepared: true, eachRow: () => {} }),
      ),
    ).rejects.toThrow();
    expect((await store.readHistory('note-1')).events).toHaveLength(300);
  });

  // Only mysql2 streams rows: elsewhere eachRow is never called.
  if (kind !== 'mariadb') return;

  it('fails the statement with the error eachRow threw, and the pool stays usable', async () => {
    const boom = new Error('cannot decode');
    let seen = 0;
    await expect(
      sql.pooled((run) =>
        run(select(), ['note-1'], {
          prepared: true,
          eachRow: () => {
            seen++;
            throw boom;
          },
        }),
      ),
    ).rejects.toBe(boom);
    expect(seen).toBe(1);
    const history = await store.readHistory('note-1');
    expect(history.events).toHaveLength(300);
    expect(history.events[0].data).toBe('plain text 0');
    expect(history.events[1].data).toEqual({ i: 1, text: 'é' });
  });
});
