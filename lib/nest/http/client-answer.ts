import { HttpStatus } from '@nestjs/common';
import { AggregateNotFoundError } from '../../core/errors/aggregate-not-found.error.js';
import { ConcurrencyError } from '../../core/errors/concurrency.error.js';
import { DuplicateEventIdError } from '../../core/errors/duplicate-event-id.error.js';
import type { EventSourcingError } from '../../core/errors/event-sourcing.error.js';
import { EventSerializationError } from '../../core/errors/event-serialization.error.js';
import { InvalidCheckpointError } from '../../core/errors/invalid-checkpoint.error.js';
import { InvalidEventError } from '../../core/errors/invalid-event.error.js';
import { InvalidExpectedVersionError } from '../../core/errors/invalid-expected-version.error.js';
import { InvalidReadOptionsError } from '../../core/errors/invalid-read-options.error.js';
import { InvalidStreamIdError } from '../../core/errors/invalid-stream-id.error.js';
import { UnstorableTextError } from '../../core/errors/unstorable-text.error.js';
import { MAX_STREAM_VERSION } from '../../core/limits.js';

/** What an HTTP client is told: a status and a sentence about its own request. */
export interface ClientAnswer {
  status: number;
  message: string;
}

/**
 * The answer for an error the client caused, or undefined for a server fault. Messages speak of
 * the client's request: never stream ids, stored type names, class names or configuration hints
 * (those are for developers and go to the log).
 */
export function clientAnswer(error: EventSourcingError): ClientAnswer | undefined {
  if (error instanceof ConcurrencyError) {
    return conflict(
      typeof error.expectedVersion === 'number'
        ? `the resource was changed by another request: it is at version ${error.actualVersion}, ` +
            `the request expected ${error.expectedVersion}; fetch it again and retry`
        : 'the resource was changed by another request; fetch it again and retry',
    );
  }
  if (error instanceof DuplicateEventIdError) {
    return conflict('a different request with the same ids was already processed; use new ids');
  }
  if (error instanceof AggregateNotFoundError) {
    return {
      status: HttpStatus.NOT_FOUND,
      message: `${error.aggregateName ?? 'resource'} not found`,
    };
  }
  if (error instanceof UnstorableTextError) {
    return badRequest(
      'the request contains text that cannot be stored (a NUL character or broken Unicode)',
    );
  }
  if (error instanceof InvalidEventError || error instanceof EventSerializationError) {
    return badRequest('the request contains a value that cannot be stored');
  }
  if (error instanceof InvalidStreamIdError) {
    return badRequest('the id is not valid: use 1 to 255 printable characters');
  }
  if (error instanceof InvalidExpectedVersionError) {
    return badRequest(
      `the expected version is not valid: send a whole number from 0 to ${MAX_STREAM_VERSION}`,
    );
  }
  if (error instanceof InvalidReadOptionsError) {
    return badRequest(`${error.option} is not valid: ${error.expected}`);
  }
  if (error instanceof InvalidCheckpointError) {
    return badRequest(
      'the position is not valid: send one this service returned, or none to start from the beginning',
    );
  }
  return undefined;
}

function conflict(message: string): ClientAnswer {
  return { status: HttpStatus.CONFLICT, message };
}

function badRequest(message: string): ClientAnswer {
  return { status: HttpStatus.BAD_REQUEST, message };
}
