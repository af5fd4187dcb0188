import type { Logger } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import type { EventStore } from '../core/event-store.js';
import type { NewEvent } from '../core/event-store.types.js';
import type { ScheduledMessageStore } from '../core/scheduled-message-store.js';
import type { EventRegistry } from '../serialization/event-registry.js';
import type { EventClass } from '../serialization/serialization.types.js';
import {
  caused,
  SAGA_ID_NAMESPACE,
  type ScheduleChange,
  type Trigger,
} from './process-manager-context.js';
import type { ProcessManager } from './process-manager.js';

/** Where a process manager's outcome is stored. */
export interface OutcomeStores {
  saga: string;
  store: EventStore;
  scheduled: ScheduledMessageStore;
  registry: EventRegistry;
  logger: Pick<Logger, 'debug'>;
}

/**
 * The events the handler applied to the instance, with ids derived from the saga, the instance
 * and the trigger: handling the same trigger again yields the same ids.
 */
export function outcomeEvents(
  o: OutcomeStores,
  instance: ProcessManager,
  trigger: Trigger,
  correlationId: string,
): NewEvent[] {
  return instance.getUncommittedEvents().map((event, index) => {
    o.registry.register(event.constructor as EventClass);
    const serialized = o.registry.serialize(event);
    return {
      ...serialized,
      eventId: uuidv5(`${o.saga}:${trigger.key}:${trigger.id}:${index}`, SAGA_ID_NAMESPACE),
      metadata: caused(serialized.metadata, trigger, correlationId),
    };
  });
}

/**
 * Stores the instance's new events and the schedule changes in one unit of work, after claiming
 * the timeout that triggered them (if any); false: the timeout was cancelled meanwhile.
 */
export async function commitOutcome(
  o: OutcomeStores,
  instance: ProcessManager,
  streamId: string,
  events: NewEvent[],
  changes: ScheduleChange[],
  trigger: Trigger,
): Promise<boolean> {
  if (events.length === 0 && changes.length === 0 && !trigger.claim) return true;
  return o.scheduled.unitOfWork().run(async ({ manager }) => {
    if (trigger.claim && !(await trigger.claim(manager))) {
      o.logger.debug(`timeout ${trigger.id} was cancelled; not delivered`);
      return false;
    }
    if (events.length > 0) {
      const version = instance.persistedVersion;
      await o.store.appendToStream(streamId, events, {
        expectedVersion: version === 0 ? 'no_stream' : version,
        manager,
      });
    }
    for (const change of changes) {
      if (change.kind === 'schedule') await o.scheduled.schedule(change.message, { manager });
      else await o.scheduled.cancel(o.saga, trigger.key, change.key, { manager });
    }
    return true;
  });
}
