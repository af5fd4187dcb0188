import { EventSourcingError } from './event-sourcing.error.js';

/** A projection handler wrote an entity that the store's DataSource does not know. */
export class UnknownProjectionEntityError extends EventSourcingError {
  constructor(projection: string, known: string[], cause: Error) {
    super(
      `projection "${projection}" wrote an entity its DataSource does not know (TypeORM: ` +
        `${cause.message}); the DataSource knows ${known.length ? known.join(', ') : 'no entities'}. ` +
        'Register the read model: EventSourcingModule.forRoot({ ..., entities: [YourReadModel] }) ' +
        "for the module's own DataSource, or in the TypeORM configuration of the dataSource you pass",
      { cause },
    );
  }
}
