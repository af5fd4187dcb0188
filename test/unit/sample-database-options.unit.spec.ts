import { describe, expect, it } from 'vitest';
import { databaseFromEnv } from '../../sample-app/src/database-options.js';

describe('the sample app database from the environment', () => {
  it('puts the PostgreSQL tables in DATABASE_SCHEMA', () => {
    const url = 'postgres://postgres@127.0.0.1:5432/test';
    expect(databaseFromEnv({ DATABASE_URL: url, DATABASE_SCHEMA: 'bank' })).toEqual({
      type: 'postgres',
      url,
      schema: 'bank',
    });
    expect(databaseFromEnv({ DATABASE_URL: url }).schema).toBeUndefined();
  });

  it('refuses DATABASE_SCHEMA without a PostgreSQL URL, saying what to do', () => {
    expect(() =>
      databaseFromEnv({
        DATABASE_URL: 'mysql://root@127.0.0.1:3306/test',
        DATABASE_SCHEMA: 'bank',
      }),
    ).toThrow('DATABASE_SCHEMA applies to PostgreSQL only');
    expect(() => databaseFromEnv({ DATABASE_SCHEMA: 'bank' })).toThrow(
      'name the MySQL database in the URL instead',
    );
  });
});
