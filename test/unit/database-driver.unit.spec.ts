import { describe, expect, it } from 'vitest';
import { MissingDatabaseDriverError } from 'nestjs-event-sourcing';
import { assertDriverInstalled, describeTarget } from '../../lib/nest/open-data-source.js';

const only =
  (...installed: string[]) =>
  (name: string) => {
    if (!installed.includes(name)) throw new Error(`Cannot find module '${name}'`);
    return `/node_modules/${name}/index.js`;
  };

describe('the database driver, an optional peer', () => {
  it('names the package to install when the chosen database has no driver', () => {
    expect(() => assertDriverInstalled('postgres', only('better-sqlite3'))).toThrow(
      new MissingDatabaseDriverError('postgres', 'pg'),
    );
    expect(() => assertDriverInstalled('mariadb', only('pg'))).toThrow(
      /"mariadb" needs the package "mysql2", which is not installed; run: npm install mysql2/,
    );
    expect(() => assertDriverInstalled('better-sqlite3', only('pg', 'mysql2'))).toThrow(
      /npm install better-sqlite3/,
    );
  });

  it('passes when the driver is there (mysql is accepted for MySQL, as TypeORM does)', () => {
    expect(() => assertDriverInstalled('postgres', only('pg'))).not.toThrow();
    expect(() => assertDriverInstalled('mysql', only('mysql'))).not.toThrow();
  });

  it('finds the drivers this repository installs, from where TypeORM loads them', () => {
    for (const type of ['postgres', 'mysql', 'mariadb', 'better-sqlite3']) {
      expect(() => assertDriverInstalled(type)).not.toThrow();
    }
  });

  it('describes the target without credentials', () => {
    expect(describeTarget({ type: 'postgres', url: 'postgres://u:pw@db:5432/shop' })).toBe(
      'postgres://db:5432/shop',
    );
    expect(describeTarget({ type: 'mysql', host: 'db', port: 3306, database: 'shop' })).toBe(
      'mysql://db:3306/shop',
    );
    expect(describeTarget({ type: 'better-sqlite3', database: 'data/app.sqlite' })).toBe(
      'better-sqlite3 file data/app.sqlite',
    );
  });
});
