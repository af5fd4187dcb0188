import { EventSourcingError } from './event-sourcing.error.js';

/** The database driver of the configured `type` is not installed (it is an optional peer). */
export class MissingDatabaseDriverError extends EventSourcingError {
  constructor(
    readonly databaseType: string,
    readonly driverPackage: string,
  ) {
    super(
      `the event store's database type "${databaseType}" needs the package "${driverPackage}", ` +
        `which is not installed; run: npm install ${driverPackage}`,
    );
  }
}
