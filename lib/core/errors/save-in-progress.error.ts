import { EventSourcingError } from './event-sourcing.error.js';

/**
 * `save()` was called on an aggregate instance while an earlier `save()` of the same instance had
 * not finished. Both would append from the same expected version, and the instance could end up
 * believing it holds events the store rejected.
 */
export class AggregateSaveInProgressError extends EventSourcingError {
  constructor(readonly streamId: string) {
    super(
      `${streamId}: a save of this aggregate instance is still in progress; await each save() ` +
        'before the next one, or load a fresh instance per concurrent request',
    );
  }
}
