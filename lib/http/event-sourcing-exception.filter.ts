import {
  Catch,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { ConcurrencyError } from '../event-store/errors/concurrency.error.js';
import { DuplicateEventIdError } from '../event-store/errors/duplicate-event-id.error.js';
import { EventSourcingError } from '../event-store/errors/event-sourcing.error.js';
import { EventSerializationError } from '../event-store/errors/event-serialization.error.js';
import { InvalidCheckpointError } from '../event-store/errors/invalid-checkpoint.error.js';
import { InvalidEventError } from '../event-store/errors/invalid-event.error.js';
import { InvalidExpectedVersionError } from '../event-store/errors/invalid-expected-version.error.js';
import { InvalidStreamIdError } from '../event-store/errors/invalid-stream-id.error.js';

/** Errors caused by what the client sent. */
const BAD_INPUT = [
  InvalidStreamIdError,
  InvalidExpectedVersionError,
  InvalidEventError,
  EventSerializationError,
  InvalidCheckpointError,
];

interface HttpResponseLike {
  status(code: number): { json(body: unknown): unknown };
}

/**
 * Maps the library's errors to HTTP answers: a concurrency conflict is 409 (the client reloads and
 * retries), bad input is 400, a missing aggregate 404 (by error name), anything else 500.
 */
@Catch(EventSourcingError)
export class EventSourcingExceptionFilter implements ExceptionFilter<EventSourcingError> {
  private readonly logger = new Logger(EventSourcingExceptionFilter.name);

  catch(error: EventSourcingError, host: ArgumentsHost): void {
    const status = statusOf(error);
    if (status >= 500) this.logger.error(error.message, error.stack);
    host
      .switchToHttp()
      .getResponse<HttpResponseLike>()
      .status(status)
      .json({ statusCode: status, error: error.name, message: error.message });
  }
}

function statusOf(error: EventSourcingError): number {
  if (error instanceof ConcurrencyError || error instanceof DuplicateEventIdError) {
    return HttpStatus.CONFLICT;
  }
  if (error.name === 'AggregateNotFoundError') return HttpStatus.NOT_FOUND;
  if (BAD_INPUT.some((type) => error instanceof type)) return HttpStatus.BAD_REQUEST;
  // Anything else (an unknown stored event type, a failed subscription, ...) is the server's fault.
  return HttpStatus.INTERNAL_SERVER_ERROR;
}
