import { EventSourcingError } from './event-sourcing.error.js';

/**
 * An inline projection asked for the projection state (`ctx.getState` / `ctx.setState`). That state
 * lives in the row of an async projection's checkpoint; an inline projection has no checkpoint, and
 * one shared row written by every append would serialise all writers.
 */
export class InlineProjectionStateError extends EventSourcingError {
  constructor(
    readonly projection: string,
    readonly method: 'getState' | 'setState',
  ) {
    super(
      `inline projection "${projection}" called ctx.${method}(), but inline projections keep no ` +
        'projection state; keep what you need in the read model through ctx.manager, or make the ' +
        "projection async ({ mode: 'async' }) to keep state with its checkpoint",
    );
  }
}
