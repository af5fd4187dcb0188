import { Logger, type ArgumentsHost, type LoggerService } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AggregateNotFoundError,
  ConcurrencyError,
  EventSourcingError as EventSourcingErrorClass,
  EventSourcingExceptionFilter,
  InvalidCheckpointError,
  InvalidEventError,
  InvalidExpectedVersionError,
  InvalidReadOptionsError,
  InvalidStreamIdError,
  SubscriptionFailedError,
  UnknownEventTypeError,
  UnstorableTextError,
  type EventSourcingError,
} from 'nestjs-event-sourcing';

interface Answer {
  status: number;
  body: { statusCode: number; error: string; message: string; reference?: string };
}

function answer(error: EventSourcingError): Answer {
  const result = {} as Answer;
  const host = {
    switchToHttp: () => ({
      getResponse: () => ({
        status: (code: number) => {
          result.status = code;
          return { json: (body: Answer['body']) => (result.body = body) };
        },
      }),
    }),
  } as unknown as ArgumentsHost;
  new EventSourcingExceptionFilter().catch(error, host);
  return result;
}

/** Nest's real Logger, writing to a list instead of the console. */
class CapturingLogger implements LoggerService {
  readonly lines: { level: string; text: string }[] = [];
  log(message: unknown) {
    this.lines.push({ level: 'log', text: String(message) });
  }
  error(message: unknown, ...rest: unknown[]) {
    this.lines.push({ level: 'error', text: [message, ...rest].map(String).join('\n') });
  }
  warn(message: unknown) {
    this.lines.push({ level: 'warn', text: String(message) });
  }
  debug(message: unknown) {
    this.lines.push({ level: 'debug', text: String(message) });
  }
  verbose(message: unknown) {
    this.lines.push({ level: 'verbose', text: String(message) });
  }
}

describe('EventSourcingExceptionFilter', () => {
  let logs: CapturingLogger;
  beforeEach(() => {
    logs = new CapturingLogger();
    Logger.overrideLogger(logs);
  });
  afterEach(() => {
    Logger.overrideLogger(true);
  });

  it('answers conflicts 409, a missing aggregate 404, bad input 400 and server faults 500', () => {
    expect(answer(new ConcurrencyError('order-1', 1, 2)).status).toBe(409);
    expect(answer(new AggregateNotFoundError('order-1')).status).toBe(404);
    expect(answer(new InvalidStreamIdError('', 'it is empty')).status).toBe(400);
    expect(answer(new InvalidEventError(0, 'no type')).status).toBe(400);
    expect(answer(new UnstorableTextError(0, 'data.name', 'nul')).status).toBe(400);
    expect(answer(new InvalidReadOptionsError('maxCount', -1, 'use 1..10')).status).toBe(400);
    expect(answer(new UnknownEventTypeError('order.gone', 'order-1')).status).toBe(500);
  });

  it('tells errors apart by class, not by name: a look-alike name is a server fault', () => {
    class LookAlike extends EventSourcingErrorClass {
      constructor() {
        super('not the library error');
        this.name = 'AggregateNotFoundError';
      }
    }
    expect(answer(new LookAlike()).status).toBe(500);
  });

  it('answers a server fault with a generic body and logs the detail with a reference', () => {
    const error = new UnknownEventTypeError('order.secret-type', 'order-4711');
    const { status, body } = answer(error);
    expect(status).toBe(500);
    expect(body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error',
      reference: expect.stringMatching(/^[0-9a-f]{12}$/) as unknown,
    });
    const text = JSON.stringify(body);
    expect(text).not.toContain('order-4711');
    expect(text).not.toContain('order.secret-type');
    const logged = logs.lines.filter((l) => l.level === 'error');
    expect(logged).toHaveLength(1);
    expect(logged[0].text).toContain('order-4711');
    expect(logged[0].text).toContain('order.secret-type');
    expect(logged[0].text).toContain(body.reference);
    expect(logged[0].text).toContain('UnknownEventTypeError');
  });

  it('keeps stream names, class names and configuration hints out of every 500', () => {
    const failed = new SubscriptionFailedError('balances', {
      message: 'db said no',
      position: 1,
      checkpoint: '1',
      at: undefined,
    });
    const { status, body } = answer(failed);
    expect(status).toBe(500);
    expect(body.message).toBe('Internal server error');
  });

  it.each<[string, EventSourcingError, RegExp, string[]]>([
    [
      'a conflict',
      new ConcurrencyError('account-9f1c', 1, 2),
      /changed by another request.*version 2.*expected 1.*retry/,
      ['account-9f1c', 'aggregate', 'stream'],
    ],
    [
      'a missing aggregate',
      new AggregateNotFoundError('account-9f1c', 'account'),
      /^account not found$/,
      ['account-9f1c', 'find()', 'stream'],
    ],
    [
      'unstorable text',
      new UnstorableTextError(0, 'data.owner', 'nul'),
      /text that cannot be stored/,
      ['event #', 'PostgreSQL', 'base64'],
    ],
    ['an invalid id', new InvalidStreamIdError('', 'it is empty'), /id is not valid/, ['stream']],
    [
      'an invalid expected version',
      new InvalidExpectedVersionError(-1),
      /expected version is not valid.*whole number from 0/,
      ["'any'", 'no_stream'],
    ],
    [
      'a bad page size',
      new InvalidReadOptionsError('maxCount', 0, 'use a whole number from 1 to 10000, or omit it'),
      /maxCount.*1 to 10000/,
      ['readAll', 'readStream'],
    ],
    [
      'a bad checkpoint',
      new InvalidCheckpointError('x'),
      /position is not valid/,
      ['readAll', 'store'],
    ],
  ])('answers %s with what the client did wrong, no developer hints', (_l, error, says, never) => {
    const { status, body } = answer(error);
    expect(status).toBeLessThan(500);
    expect(body.message).toMatch(says);
    for (const word of never) expect(body.message).not.toContain(word);
    expect(body.error).not.toMatch(/Error$/);
    expect(logs.lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});
