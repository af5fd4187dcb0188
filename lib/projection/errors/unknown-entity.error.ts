import type { EntityManager } from 'typeorm';
import { EventSourcingError } from '../../core/errors/event-sourcing.error.js';

/**
 * TypeORM's errors when a manager is handed a class its DataSource has no metadata for: an
 * `EntityMetadataNotFoundError`, or from `insert`/`update`/`delete` a bare
 * "this.subQuery is not a function" (it takes the class for a sub-query factory).
 */
function isUnknownEntity(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'EntityMetadataNotFoundError' || /subQuery is not a function/.test(error.message)
  );
}

/** A projection handler wrote an entity that the store's DataSource does not know. */
export class UnknownProjectionEntityError extends EventSourcingError {
  constructor(projection: string, known: string[], cause: Error) {
    super(
      `projection "${projection}" wrote an entity its DataSource does not know (TypeORM: ` +
        `${cause.message}); the DataSource knows ${known.length ? known.join(', ') : 'no entities'}. ` +
        'Register the read model: EventSourcingModule.forRoot({ ..., entities: [YourReadModel] }) ' +
        "for the module's own DataSource, or in the TypeORM configuration of the dataSource you pass",
      { cause },
    );
  }
}

/** Turns TypeORM's unknown-entity failures into an error that says how to fix them. */
export function explainUnknownEntity(
  error: unknown,
  projection: string,
  manager: EntityManager | undefined,
): unknown {
  if (!manager || !isUnknownEntity(error)) return error;
  const known = manager.connection.entityMetadatas.map((m) => m.name);
  return new UnknownProjectionEntityError(projection, known, error);
}
