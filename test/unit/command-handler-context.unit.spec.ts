import type { INestApplicationContext } from '@nestjs/common';
import { Injectable } from '@nestjs/common';
import { CommandBus, CommandHandler, CqrsModule, type ICommandHandler } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Aggregate,
  DomainEvent,
  EventSourcedAggregate,
  EventSourcingHandler,
  EventSourcingModule,
  EventStore,
  InjectAggregateRepository,
  MessageContext,
  type AggregateRepository,
} from '../../lib/index.js';
import { setCommandId } from '../../lib/core/message-context.js';

// Reads like the header of lib/nest/command-handler-context.ts: each test is one of its steps.

@DomainEvent('command_context.counted')
class Counted {}

@Aggregate('counter')
class Counter extends EventSourcedAggregate {
  count = 0;
  increment(): void {
    this.apply(new Counted());
  }
  @EventSourcingHandler(Counted) counted(): void {
    this.count++;
  }
}

class Increment {
  constructor(readonly counterId: string) {}
}

@Injectable()
@CommandHandler(Increment)
class IncrementHandler implements ICommandHandler<Increment> {
  /** What the handler saw of its message context, per execution. */
  readonly seen: (ReturnType<typeof MessageContext.current> | undefined)[] = [];

  constructor(
    @InjectAggregateRepository(Counter) private readonly counters: AggregateRepository<Counter>,
  ) {}

  async execute(command: Increment): Promise<void> {
    this.seen.push(MessageContext.current());
    const counter = (await this.counters.find(command.counterId)) ?? new Counter(command.counterId);
    counter.increment();
    await this.counters.save(counter);
  }
}

let app: INestApplicationContext | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function boot() {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CqrsModule.forRoot(),
      EventSourcingModule.forRoot({ type: 'memory' }),
      EventSourcingModule.forFeature([Counter]),
    ],
    providers: [IncrementHandler],
  }).compile();
  app = await moduleRef.init();
  return {
    bus: app.get(CommandBus),
    store: app.get(EventStore),
    handler: app.get(IncrementHandler),
  };
}

describe('the message context of a command handler', () => {
  it('1-2: a command with a known id (as a saga sends it) runs its handler with that id as causation id and idempotency key', async () => {
    const { bus, store, handler } = await boot();
    const command = new Increment('c1');
    setCommandId(command, 'saga-x:event-1:0');

    await bus.execute(command);

    expect(handler.seen[0]).toMatchObject({
      causationId: 'saga-x:event-1:0',
      idempotencyKey: 'saga-x:event-1:0',
    });
    const [event] = await store.readStream('counter-c1');
    expect(event.metadata.causationId).toBe('saga-x:event-1:0');
  });

  it('3-4: the same command handled again (a re-delivery) derives the same event ids, so its save stores nothing twice', async () => {
    const { bus, store, handler } = await boot();
    const first = new Increment('c2');
    setCommandId(first, 'saga-x:event-2:0');
    await bus.execute(first);
    const again = new Increment('c2');
    setCommandId(again, 'saga-x:event-2:0');

    await bus.execute(again); // the handler runs, its save is recognised as done

    expect(handler.seen).toHaveLength(2);
    expect(await store.readStream('counter-c2')).toHaveLength(1);
  });

  it('any other command gets a fresh id and the correlation id of whatever sent it, but no idempotency key', async () => {
    const { bus, store, handler } = await boot();

    await MessageContext.run({ correlationId: 'request-7', metadata: { userId: 'u1' } }, () =>
      bus.execute(new Increment('c3')),
    );

    const seen = handler.seen[0]!;
    expect(seen.correlationId).toBe('request-7');
    expect(seen.causationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen.idempotencyKey).toBeUndefined();
    const [event] = await store.readStream('counter-c3');
    expect(event.metadata).toMatchObject({ correlationId: 'request-7', userId: 'u1' });
  });
});
