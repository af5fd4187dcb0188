import { EventSourcingError } from './event-sourcing.error.js';

/** A blue/green rebuild cannot run: the message says why and what to do instead. */
export class BlueGreenRebuildError extends EventSourcingError {
  constructor(
    readonly projection: string,
    message: string,
  ) {
    super(message);
  }

  static missingSwapHook(projection: string): BlueGreenRebuildError {
    return new BlueGreenRebuildError(
      projection,
      `a blue/green rebuild of "${projection}" needs a @ProjectionSwap() method that makes the ` +
        "'next' read model live; add one (and write to ctx.target), or rebuild in place",
    );
  }

  /** Another process runs the live copy: it cannot be stopped from here for the swap. */
  static leaseHeldElsewhere(projection: string, owner: string): BlueGreenRebuildError {
    return new BlueGreenRebuildError(
      projection,
      `another process runs projection "${projection}" (lease held by ${owner}); run the ` +
        'blue/green rebuild in that application (ProjectionManager.rebuild), or stop its instances first',
    );
  }
}
