import type { ArgumentsHost } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import {
  AggregateNotFoundError,
  ConcurrencyError,
  EventSourcingExceptionFilter,
  InvalidEventError,
  InvalidStreamIdError,
  UnknownEventTypeError,
  type EventSourcingError,
} from 'nestjs-event-sourcing';

function statusFor(error: EventSourcingError): number {
  let status = 0;
  const host = {
    switchToHttp: () => ({
      getResponse: () => ({
        status: (code: number) => {
          status = code;
          return { json: () => undefined };
        },
      }),
    }),
  } as unknown as ArgumentsHost;
  new EventSourcingExceptionFilter().catch(error, host);
  return status;
}

describe('EventSourcingExceptionFilter', () => {
  it('answers conflicts 409, a missing aggregate 404, bad input 400 and server faults 500', () => {
    expect(statusFor(new ConcurrencyError('order-1', 1, 2))).toBe(409);
    expect(statusFor(new AggregateNotFoundError('order-1'))).toBe(404);
    expect(statusFor(new InvalidStreamIdError('', 'it is empty'))).toBe(400);
    expect(statusFor(new InvalidEventError(0, 'no type'))).toBe(400);
    expect(statusFor(new UnknownEventTypeError('order.gone', 'order-1'))).toBe(500);
  });
});
