import type { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { connectionLockOf, withConnectionLock } from '../../lib/sql/connection-lock.js';
import { SqlExecutor } from '../../lib/sql/sql-executor.js';
import { dialectFor } from '../../lib/sql/dialects/dialect-for.js';

// Only `options.type` is read: whether the connection is shared is the dialect's answer.
const dataSourceOf = (type: string) => ({ options: { type } }) as unknown as DataSource;

describe('the connection lock, asked of the dialect once', () => {
  it('exists only where the dialect shares one connection (SQLite), one per DataSource', () => {
    const sqlite = dataSourceOf('better-sqlite3');
    const lock = connectionLockOf(sqlite, dialectFor('better-sqlite3'));
    expect(lock).toBeDefined();
    expect(connectionLockOf(sqlite)).toBe(lock);
    for (const type of ['postgres', 'mariadb', 'mysql', 'sqlite']) {
      expect(connectionLockOf(dataSourceOf(type))).toBeUndefined();
    }
  });

  it('makes work on the shared connection take turns, whoever asks: an executor or runInTransaction', async () => {
    const sqlite = dataSourceOf('better-sqlite3');
    const executor = new SqlExecutor(sqlite, dialectFor('better-sqlite3'));
    expect(
      await orderOf(executor.lock.bind(executor), (work) => withConnectionLock(sqlite, work)),
    ).toEqual(['first starts', 'first ends', 'second runs']);
  });

  it('lets pooled connections run side by side', async () => {
    const executor = new SqlExecutor(dataSourceOf('postgres'), dialectFor('postgres'));
    const lock = executor.lock.bind(executor);
    expect(await orderOf(lock, lock)).toEqual(['first starts', 'second runs', 'first ends']);
  });
});

type Locked = (work: () => Promise<void>) => Promise<void>;

/** Runs a first piece of work that waits until the second has been asked for; the order of what ran. */
async function orderOf(lockFirst: Locked, lockSecond: Locked): Promise<string[]> {
  const order: string[] = [];
  let secondAsked!: () => void;
  const asked = new Promise<void>((resolve) => (secondAsked = resolve));
  const first = lockFirst(async () => {
    order.push('first starts');
    await asked;
    await new Promise((resolve) => setTimeout(resolve, 20));
    order.push('first ends');
  });
  const second = lockSecond(async () => {
    order.push('second runs');
  });
  secondAsked();
  await Promise.all([first, second]);
  return order;
}
