import { EventSourcingError } from './event-sourcing.error.js';

/** An aggregate class has no `@Aggregate` decorator, so it has no stream category. */
export class UndecoratedAggregateError extends EventSourcingError {
  constructor(readonly className: string) {
    super(
      `${className} has no stream category; add @Aggregate('some_category') to the class ${className} ` +
        '(its streams are then named "some_category-<id>")',
    );
  }
}
