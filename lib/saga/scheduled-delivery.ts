import { Logger } from '@nestjs/common';
import type { Clock } from '../core/clock.js';
import { SagaNotRegisteredError } from '../core/errors/saga-not-registered.error.js';
import type { EventStore } from '../core/event-store.js';
import type { ScheduledMessage, ScheduledMessageStore } from '../core/scheduled-message-store.js';
import type { SubscriptionStore } from '../core/subscription-store.js';
import type { EventRegistry } from '../serialization/event-registry.js';
import { MessageScheduler } from './message-scheduler.js';
import { SAGA_SUBSCRIPTION_PREFIX } from './saga.constants.js';
import type { SagaRunners } from './saga-runners.js';

export interface ScheduledDeliveryDeps {
  runners: SagaRunners;
  registry: EventRegistry;
  store: EventStore;
  subscriptions: SubscriptionStore;
  scheduled: ScheduledMessageStore;
  clock: Clock;
  /** The lease owner id: this instance's (so status shows the scheduler under its instance). */
  owner?: string;
}

/**
 * The scheduler of the process managers' timeouts in this process: it hands each due message to
 * the saga that scheduled it, as an event to handle or a command to send.
 */
export function scheduledDelivery(deps: ScheduledDeliveryDeps): MessageScheduler {
  const { subscriptions, store } = deps;
  return new MessageScheduler({
    store: deps.scheduled,
    leases: subscriptions,
    clock: deps.clock,
    deliver: (message) => deliver(deps, message),
    head: () => store.headCheckpoint(),
    progressOf: async (saga) =>
      (await subscriptions.load(`${SAGA_SUBSCRIPTION_PREFIX}${saga}`))?.checkpoint,
    logger: new Logger('Saga scheduler'),
    owner: deps.owner,
  });
}

async function deliver(deps: ScheduledDeliveryDeps, message: ScheduledMessage): Promise<void> {
  const runner = deps.runners.processManager(message.saga);
  if (!runner) {
    throw new SagaNotRegisteredError(
      `"${message.saga}"`,
      `cannot deliver the scheduled ${message.type}`,
    );
  }
  if (message.kind === 'event') {
    await runner.deliverScheduled(message);
    return;
  }
  const command = deps.registry.deserialize({
    type: message.type,
    data: message.payload,
    metadata: message.metadata,
  });
  await runner.sendScheduledCommand(command, message);
}
