import type { Clock } from '../core/clock.js';
import { ParkedEventNotFoundError } from '../core/errors/parked-event-not-found.error.js';
import type { EventStore } from '../core/event-store.js';
import type { SagaFailureStore } from '../core/saga-failure-store.js';
import { errorMessage } from '../core/error-message.js';
import type { SagaRunner } from './saga-runner.js';
import type { SagaRetryResult } from './saga-status.js';

/**
 * The events a saga gave up on after its retries: handled again on an operator's request (each
 * once: those that succeed are no longer parked, those that fail stay parked with the new error),
 * or forgotten.
 */
export class ParkedEvents {
  constructor(
    private readonly store: EventStore,
    private readonly failures: SagaFailureStore,
    private readonly clock: Clock,
  ) {}

  async retry(runner: SagaRunner, eventId?: string): Promise<SagaRetryResult> {
    const name = runner.name;
    const parked = (await this.failures.list(name)).filter(
      (f) => eventId === undefined || f.eventId === eventId,
    );
    if (eventId !== undefined && parked.length === 0) {
      throw new ParkedEventNotFoundError(name, eventId);
    }
    const result: SagaRetryResult = { succeeded: [], failed: [] };
    for (const failure of parked) {
      const [event] = await this.store.readStream(failure.streamId, {
        fromVersion: failure.version,
        maxCount: 1,
      });
      let error: string | undefined;
      if (event?.eventId !== failure.eventId) {
        error = `the event is no longer in ${failure.streamId}; discard it with SagaManager.discard('${name}', '${failure.eventId}')`;
      } else {
        try {
          await runner.deliver(event);
        } catch (cause) {
          error = errorMessage(cause);
        }
      }
      if (error === undefined) {
        await this.failures.remove(name, failure.eventId);
        result.succeeded.push(failure.eventId);
      } else {
        const attempts = failure.attempts + 1;
        await this.failures.park({ ...failure, error, attempts, failedAt: this.clock.now() });
        result.failed.push({ eventId: failure.eventId, error });
      }
    }
    return result;
  }

  async discard(saga: string, eventId: string): Promise<void> {
    await this.failures.remove(saga, eventId);
  }
}
