import { EventSourcingError } from './event-sourcing.error.js';

/** Two projections (or two sagas) share a name, which is also their checkpoint's name. */
export class DuplicateWorkerNameError extends EventSourcingError {
  constructor(
    readonly kind: 'projection' | 'saga',
    readonly workerName: string,
    classes: readonly string[] = [],
  ) {
    super(
      `two ${kind}s are named "${workerName}"${classes.length ? ` (${classes.join(' and ')})` : ''}; ` +
        'give each a unique name ' +
        '(the name is also the key of its stored checkpoint, so renaming one replays it)',
    );
  }
}
