import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Observable } from 'rxjs';
import { v7 as uuidv7 } from 'uuid';
import { MessageContext } from '../core/message-context.js';

/** The HTTP header `CorrelationIdInterceptor` reads the correlation id from. */
export const CORRELATION_HEADER = 'x-correlation-id';
// A caller-chosen id is stored in every event's metadata: keep it short and printable.
const ACCEPTABLE = /^[\x21-\x7e]{1,128}$/;

interface HttpRequestLike {
  headers: Record<string, string | string[] | undefined>;
}
interface HttpResponseLike {
  setHeader?(name: string, value: string): void;
}

/**
 * Seeds the correlation id of everything an HTTP request causes from its `x-correlation-id`
 * header (or a new UUID), and echoes it in the response. Register it globally:
 * `app.useGlobalInterceptors(new CorrelationIdInterceptor())`.
 */
@Injectable()
export class CorrelationIdInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const header = http.getRequest<HttpRequestLike>().headers[CORRELATION_HEADER];
    const given = Array.isArray(header) ? header[0] : header;
    const correlationId = given && ACCEPTABLE.test(given) ? given : uuidv7();
    http.getResponse<HttpResponseLike>().setHeader?.(CORRELATION_HEADER, correlationId);
    // The route handler runs when the observable is subscribed, so subscribe inside the context.
    return new Observable((subscriber) =>
      MessageContext.run({ correlationId, causationId: correlationId }, () =>
        next.handle().subscribe(subscriber),
      ),
    );
  }
}
