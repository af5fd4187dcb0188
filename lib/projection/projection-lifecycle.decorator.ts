import { PROJECTION_LIFECYCLE_METADATA } from './projection.constants.js';

export type ProjectionLifecycleHook = 'init' | 'reset' | 'delete' | 'swap';

function lifecycle(hook: ProjectionLifecycleHook): MethodDecorator {
  return (target, method) => {
    const hooks = { ...getProjectionLifecycle(target.constructor), [hook]: method };
    Reflect.defineMetadata(PROJECTION_LIFECYCLE_METADATA, hooks, target.constructor);
  };
}

/** Runs once, before the projection's first event (create tables, seed rows). */
export const ProjectionInit = () => lifecycle('init');
/** Runs when the projection is reset or rebuilt: empty the read model. */
export const ProjectionReset = () => lifecycle('reset');
/** Runs when the projection is deleted: drop the read model. */
export const ProjectionDelete = () => lifecycle('delete');
/**
 * Ends a blue/green rebuild: make the `next` copy of the read model the live one (for example
 * switch a pointer row or rename tables). Runs in one transaction with the last replayed events;
 * init, reset and handlers receive `target: 'next'` while the new copy is built.
 */
export const ProjectionSwap = () => lifecycle('swap');

export function getProjectionLifecycle(
  cls: object,
): Partial<Record<ProjectionLifecycleHook, string | symbol>> {
  return (
    (Reflect.getMetadata(PROJECTION_LIFECYCLE_METADATA, cls) as
      Partial<Record<ProjectionLifecycleHook, string | symbol>> | undefined) ?? {}
  );
}
