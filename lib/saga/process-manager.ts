import { EventSourcedAggregate } from '../aggregate/event-sourced-aggregate.js';

/**
 * Base class of event-sourced sagas (`@EventSourcedSaga`). It is an event-sourced aggregate whose
 * id is the correlation key: handlers check the state, `apply` saga events (state changes only in
 * `@EventSourcingHandler` methods) and return commands; the `SagaManager` stores the new events in
 * the instance's stream with optimistic concurrency, then sends the commands.
 *
 * Handlers should be deterministic (depend only on the state, the event and `ctx.now()`): after a
 * crash an event can be handled again, and the saga then replays the handler on the state it had
 * before that event to send the same commands (with the same ids) again.
 */
export abstract class ProcessManager extends EventSourcedAggregate {
  constructor(correlationKey = '') {
    super(correlationKey);
  }

  /** The key that correlates events to this instance (the end of its stream id). */
  get correlationKey(): string {
    return this.id;
  }
}
