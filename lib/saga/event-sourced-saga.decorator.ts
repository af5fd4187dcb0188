import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import { EVENT_SOURCED_SAGA_METADATA } from './saga.constants.js';
import { resolveSagaOptions, type ResolvedSagaOptions, type SagaOptions } from './saga.options.js';

export interface EventSourcedSagaMetadata extends ResolvedSagaOptions {
  name: string;
  /** The category of the saga's streams: instance `42` lives in stream `saga.<name>-42`. */
  category: string;
}

const NAME = /^[A-Za-z0-9_.]{1,200}$/;

/**
 * Marks a process manager: a class extending `ProcessManager` whose state is stored as events in a
 * stream of its own per instance (`saga.<name>-<correlation key>`) and rebuilt by replay. Its
 * `@SagaStart` / `@SagaHandler` methods react to events of the global log (read through a
 * subscription named `saga:<name>`) and to the timeouts it scheduled, apply saga events and return
 * commands. List the class in a module's `providers` (as a projection) so the `SagaManager` finds
 * it; it creates the instances itself, so the class must not declare constructor parameters.
 *
 * @example @EventSourcedSaga('shipping') export class ShippingSaga extends ProcessManager { ... }
 */
export function EventSourcedSaga(name: string, options: SagaOptions = {}): ClassDecorator {
  const where = `@EventSourcedSaga(${JSON.stringify(name)})`;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new InvalidOptionsError(
      where,
      'the name must be 1 to 200 letters, digits, _ or . (no dash: it ends the stream category)',
    );
  }
  const metadata: EventSourcedSagaMetadata = {
    name,
    category: `saga.${name}`,
    ...resolveSagaOptions(where, options),
  };
  return applyDecorators(Injectable(), SetMetadata(EVENT_SOURCED_SAGA_METADATA, metadata));
}

export function getEventSourcedSagaMetadata(cls: object): EventSourcedSagaMetadata | undefined {
  return Reflect.getMetadata(EVENT_SOURCED_SAGA_METADATA, cls) as
    EventSourcedSagaMetadata | undefined;
}
