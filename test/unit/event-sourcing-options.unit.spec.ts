import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import {
  EventSourcingModule,
  EventStore,
  InMemoryEventStore,
  InvalidOptionsError,
} from 'nestjs-event-sourcing';
import { validateOptions } from '../../lib/nest/event-sourcing.options.js';

describe('EventSourcingModule options', () => {
  it.each([
    [{ type: 'memory', pool: 3 }, /"pool": unknown option/],
    [{}, /"type": missing/],
    [{ type: 'oracle' }, /"type": "oracle" is not one of/],
    [{ type: 'postgres' }, /"url": missing: postgres needs a url or a host/],
    [{ type: 'better-sqlite3' }, /"database": missing/],
    [{ type: 'postgres', url: 'postgres://x', poolSize: 0 }, /"poolSize": 0 must be/],
    [
      { type: 'postgres', url: 'postgres://x', acquireTimeoutMs: 0 },
      /"acquireTimeoutMs": 0 must be/,
    ],
    [
      { type: 'mariadb', url: 'mysql://x', acquireTimeoutMs: 1.5 },
      /"acquireTimeoutMs": 1.5 must be/,
    ],
    [{ type: 'memory', migrate: 'yes' }, /"migrate": must be true or false/],
    [{ type: 'postgres', url: 'postgres://x', entities: 'Order' }, /"entities": must be an array/],
    [{ type: 'postgres', url: 'postgres://x', synchronize: 1 }, /"synchronize": must be true/],
    [{ type: 'postgres', url: 'postgres://x', retryAttempts: -1 }, /"retryAttempts": -1 must be/],
    [{ type: 'postgres', url: 'postgres://x', retryDelay: 0.5 }, /"retryDelay": 0.5 must be/],
  ])('rejects %j with a message naming the option', (options, message) => {
    expect(() => validateOptions(options)).toThrow(InvalidOptionsError);
    expect(() => validateOptions(options)).toThrow(message);
  });

  it('stops boot with that message', async () => {
    const boot = Test.createTestingModule({
      imports: [EventSourcingModule.forRoot({ type: 'memory', tablePrefx: 'x' } as never)],
    }).compile();
    await expect(boot).rejects.toThrow(
      /invalid event sourcing option "tablePrefx": unknown option/,
    );
  });

  it('provides the in-memory store for type "memory"', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [EventSourcingModule.forRoot({ type: 'memory' })],
    }).compile();
    expect(moduleRef.get(EventStore)).toBeInstanceOf(InMemoryEventStore);
    await moduleRef.close();
  });

  it('supports forRootAsync with injected configuration', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventSourcingModule.forRootAsync({ useFactory: () => ({ type: 'memory' as const }) }),
      ],
    }).compile();
    expect(moduleRef.get(EventStore)).toBeInstanceOf(InMemoryEventStore);
    await moduleRef.close();
  });
});
