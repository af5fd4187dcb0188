/** Base class of every error this library throws on purpose. */
export class EventSourcingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
