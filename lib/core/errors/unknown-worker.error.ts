import { EventSourcingError } from './event-sourcing.error.js';

/**
 * A projection, saga or forwarder was asked for by a name nothing registered; the message lists
 * the names that exist (the CLI prints it as it is).
 */
export class UnknownWorkerError extends EventSourcingError {
  constructor(
    readonly kind: 'projection' | 'saga' | 'forwarder',
    readonly workerName: string,
    known: readonly string[],
  ) {
    super(`no ${kind} is named "${workerName}"; known ${kind}s: ${known.join(', ') || '(none)'}`);
  }
}
