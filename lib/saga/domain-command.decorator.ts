import { DomainEvent, type DomainEventOptions } from '../serialization/domain-event.decorator.js';

/**
 * Gives a command a stable type name, so it can be stored (a timeout scheduled by a saga) and read
 * back after a restart. It stores the same metadata as `@DomainEvent` (the event registry converts
 * both), so the type names of commands and events share one namespace.
 *
 * @example @DomainCommand('order.cancel') export class CancelOrder { constructor(readonly orderId: string) {} }
 */
export function DomainCommand(type: string, options: DomainEventOptions = {}): ClassDecorator {
  return DomainEvent(type, options);
}
