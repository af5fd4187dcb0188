import { EventSourcingError } from './event-sourcing.error.js';

/** The configured event store cannot run inline projections inside its appends. */
export class InlineProjectionUnsupportedError extends EventSourcingError {
  constructor() {
    super(
      'inline projections need the TypeORM or in-memory event store; make the projection async ' +
        "({ mode: 'async' }) or configure one of those stores",
    );
  }
}
