import { randomBytes } from 'node:crypto';
import {
  Catch,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { EventSourcingError } from '../../core/errors/event-sourcing.error.js';
import { clientAnswer } from './client-answer.js';

interface HttpResponseLike {
  status(code: number): { json(body: unknown): unknown };
}

/** Nest's reason phrases, the `error` field of its own error bodies. */
const REASON: Record<number, string> = {
  [HttpStatus.BAD_REQUEST]: 'Bad Request',
  [HttpStatus.NOT_FOUND]: 'Not Found',
  [HttpStatus.CONFLICT]: 'Conflict',
};

/**
 * Maps the library's errors to HTTP answers: a concurrency conflict is 409 (the client reloads and
 * retries), bad input 400, a missing aggregate 404, each with a sentence about the client's request.
 * Anything else is the server's fault: 500 with a generic body and a reference, while the detail
 * (stream ids, stored type names, hints for developers) goes to the log under that reference.
 */
@Catch(EventSourcingError)
export class EventSourcingExceptionFilter implements ExceptionFilter<EventSourcingError> {
  private readonly logger = new Logger(EventSourcingExceptionFilter.name);

  catch(error: EventSourcingError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<HttpResponseLike>();
    const answer = clientAnswer(error);
    if (answer) {
      this.logger.debug(`${answer.status} for ${error.name}: ${error.message}`);
      response.status(answer.status).json({
        statusCode: answer.status,
        error: REASON[answer.status] ?? 'Error',
        message: answer.message,
      });
      return;
    }
    const reference = randomBytes(6).toString('hex');
    this.logger.error(`${error.name} (reference ${reference}): ${error.message}`, error.stack);
    response.status(HttpStatus.INTERNAL_SERVER_ERROR).json({
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      error: 'Internal Server Error',
      message: 'Internal server error',
      reference,
    });
  }
}
