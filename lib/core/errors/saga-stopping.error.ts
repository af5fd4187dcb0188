import { EventSourcingError } from './event-sourcing.error.js';

/**
 * Thrown out of a batch when the saga is being stopped, so the batch is abandoned, not committed.
 * Internal: the runner catches it; nothing to fix.
 */
export class SagaStoppingError extends EventSourcingError {
  constructor(readonly saga: string) {
    super(`saga "${saga}" is stopping; the batch will be read again when it starts`);
  }
}
