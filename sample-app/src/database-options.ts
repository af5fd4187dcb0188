import type { EventSourcingModuleOptions } from 'nestjs-event-sourcing';

/**
 * The sample app runs on an embedded SQLite file by default; DATABASE_URL=postgres://... or
 * mysql://... switches it to a server.
 */
export function databaseOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): EventSourcingModuleOptions {
  const url = env.DATABASE_URL;
  if (!url)
    return { type: 'better-sqlite3', database: env.SQLITE_FILE ?? 'data/sample-app.sqlite' };
  if (url.startsWith('postgres://') || url.startsWith('postgresql://'))
    return { type: 'postgres', url };
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) {
    return { type: 'mariadb', url: url.replace(/^mariadb:/, 'mysql:') };
  }
  throw new Error(`DATABASE_URL must start with postgres:// or mysql://, got "${url}"`);
}
