import { EventSourcingError } from './event-sourcing.error.js';

/**
 * MySQL/MariaDB: the one-row head table that serialises appends has no row, so no position can be
 * taken. The migration writes it; someone deleted it or created the tables by hand without it.
 */
export class MissingHeadRowError extends EventSourcingError {
  constructor(readonly table: string) {
    super(
      `the head row of ${table} is missing, so no event can be appended; run the event store ` +
        `migration (\`schema migrate\`, or migrate: true) or insert it: INSERT INTO ${table} ` +
        '(id, position) SELECT 1, COALESCE(MAX(global_position), 0) FROM <prefix>events',
    );
  }
}
