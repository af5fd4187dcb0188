import { Inject } from '@nestjs/common';

/** The injection token of an aggregate's repository (one per aggregate class). */
export function getAggregateRepositoryToken(aggregateClass: { name: string }): string {
  return `${aggregateClass.name}AggregateRepository`;
}

/** Injects `AggregateRepository<Order>` after `EventSourcingModule.forFeature([Order])`. */
export const InjectAggregateRepository = (aggregateClass: { name: string }) =>
  Inject(getAggregateRepositoryToken(aggregateClass));
