import { Injectable, Logger } from '@nestjs/common';
import { errorMessage } from '../core/error-message.js';
import type { EntityManager } from 'typeorm';
import { EventSourcingError } from '../core/errors/event-sourcing.error.js';
import { EventRegistry } from '../serialization/event-registry.js';
import { InvalidForwardedEventError } from '../core/errors/invalid-forwarded-event.error.js';
import { isForwardedEvent, type ForwardedEvent } from './forwarded-event.js';
import { InboxStore } from './inbox-store.js';

/** What an inbox handler gets besides the revived event. */
export interface InboxContext {
  /** The transaction the inbox row is written in: write the handler's effects through it. */
  manager?: EntityManager;
  envelope: ForwardedEvent;
}

/** What the inbox did with a forwarded event: applied it, or skipped it as already applied. */
export type InboxOutcome = 'applied' | 'duplicate';

/** A RabbitMQ context (`RmqContext`): acknowledged once the handler's transaction committed. */
interface AckableContext {
  getChannelRef(): {
    ack(message: unknown): void;
    nack(message: unknown, allUpTo?: boolean, requeue?: boolean): void;
  };
  getMessage(): unknown;
}

/**
 * The receiving side of forwarding: applies each forwarded event at most once per handler, so an
 * at-least-once delivery has exactly-once effects. Use it in a microservice's `@EventPattern`:
 *
 * ```ts
 * @EventPattern('bank')
 * async onBankEvent(@Payload() message: unknown, @Ctx() ctx: RmqContext) {
 *   await this.inbox.handle('notifications', message, async (event, { manager }) => {
 *     if (event instanceof MoneyDeposited) await manager!.insert(Notification, { ... });
 *   }, ctx);
 * }
 * ```
 * The event is revived to its class through the `EventRegistry` (register the classes with
 * `EventSourcingModule.forFeature([...], { events })`), upcasting older payloads. The inbox row
 * (handler, event id) and the handler's writes commit in one transaction. Deliveries to one handler
 * are applied one at a time, in arrival order, so events of a stream are applied in order.
 */
@Injectable()
export class EventInbox {
  private readonly logger = new Logger('EventInbox');
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly inbox: InboxStore,
    private readonly registry: EventRegistry,
  ) {}

  /**
   * Applies `message` (a forwarded event) with `apply` unless `handler` applied its event before.
   * With a RabbitMQ context, acknowledges the message after the commit (run the server with
   * `noAck: false`), and rejects it for redelivery when `apply` throws.
   */
  handle(
    handler: string,
    message: unknown,
    apply: (event: object, ctx: InboxContext) => Promise<void>,
    brokerContext?: unknown,
  ): Promise<InboxOutcome> {
    const previous = this.queues.get(handler) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => this.applyOnce(handler, message, apply, brokerContext));
    this.queues.set(handler, next);
    void next
      .finally(() => {
        if (this.queues.get(handler) === next) this.queues.delete(handler);
      })
      .catch(() => undefined);
    return next;
  }

  private async applyOnce(
    handler: string,
    message: unknown,
    apply: (event: object, ctx: InboxContext) => Promise<void>,
    brokerContext: unknown,
  ): Promise<InboxOutcome> {
    const ack = ackable(brokerContext);
    try {
      if (!isForwardedEvent(message)) throw new InvalidForwardedEventError(handler, message);
      const envelope = message;
      const event = this.registry.deserialize(envelope);
      const applied = await this.inbox.applyOnce(handler, envelope.eventId, (manager) =>
        apply(event, manager ? { manager, envelope } : { envelope }),
      );
      const outcome: InboxOutcome = applied ? 'applied' : 'duplicate';
      ack?.getChannelRef().ack(ack.getMessage());
      return outcome;
    } catch (error) {
      this.logger.error(
        `handler "${handler}" could not apply a message: ${errorMessage(error)}` +
          (ack ? '; RabbitMQ redelivers it unless it can never apply' : ''),
      );
      // A message that can never apply (not an envelope, unknown type) is not requeued (it would
      // come back forever): it goes to the queue's dead-letter exchange if one is configured.
      const poison =
        error instanceof InvalidForwardedEventError || error instanceof EventSourcingError;
      ack?.getChannelRef().nack(ack.getMessage(), false, !poison);
      throw error;
    }
  }
}

function ackable(context: unknown): AckableContext | undefined {
  const c = context as Partial<AckableContext> | undefined;
  return typeof c?.getChannelRef === 'function' && typeof c.getMessage === 'function'
    ? (c as AckableContext)
    : undefined;
}
