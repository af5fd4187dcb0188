import { EntityMetadataNotFoundError, type EntityManager } from 'typeorm';
import { UnknownProjectionEntityError } from '../core/errors/unknown-entity.error.js';

/**
 * TypeORM's errors when a manager is handed a class its DataSource has no metadata for: an
 * `EntityMetadataNotFoundError`, or from `insert`/`update`/`delete` a bare TypeError
 * "this.subQuery is not a function" (it takes the class for a sub-query factory). That TypeError
 * has no class of its own, so only its message can tell it apart.
 */
function isUnknownEntity(error: unknown): error is Error {
  if (error instanceof EntityMetadataNotFoundError) return true;
  return error instanceof TypeError && /subQuery is not a function/.test(error.message);
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
