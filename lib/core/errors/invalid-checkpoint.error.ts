import { EventSourcingError } from './event-sourcing.error.js';

/** A checkpoint given to `readAll` is not one a store of this kind returned. */
export class InvalidCheckpointError extends EventSourcingError {
  constructor(readonly checkpoint: unknown) {
    super(
      `invalid checkpoint ${JSON.stringify(checkpoint)}; pass a checkpoint returned by readAll() ` +
        'from the same kind of store, or omit it to read from the start',
    );
  }
}
