import { DuplicateUpcasterError } from '../core/errors/duplicate-upcaster.error.js';
import { errorMessage } from '../core/error-message.js';
import type { EventMetadata } from '../core/event-store.types.js';
import { MissingUpcasterError } from '../core/errors/missing-upcaster.error.js';
import { deserializationFailure } from './deserialization-failure.js';
import { EVENT_VERSION_METADATA_KEY } from './serialization.constants.js';
import type { DeserializableEvent, UpcasterDefinition } from './serialization.types.js';

/**
 * The upcasters of an `EventRegistry`, one per event type and step (version n to n + 1), and the
 * chain that brings a payload stored at an older schema version up to the class's version.
 */
export class UpcasterChain {
  /** type -> fromVersion -> upcaster */
  private readonly steps = new Map<string, Map<number, UpcasterDefinition>>();

  /** Adds one step; its options are checked by the registry. */
  add(upcaster: UpcasterDefinition): void {
    const steps = this.steps.get(upcaster.type) ?? new Map<number, UpcasterDefinition>();
    if (steps.has(upcaster.fromVersion)) {
      throw new DuplicateUpcasterError(upcaster.type, upcaster.fromVersion);
    }
    steps.set(upcaster.fromVersion, upcaster);
    this.steps.set(upcaster.type, steps);
  }

  /** Runs the upcaster chain from the stored version up to `currentVersion`: 1 -> 2 -> 3. */
  upcast(stored: DeserializableEvent, currentVersion: number, className: string): unknown {
    const metadata: EventMetadata = stored.metadata ?? {};
    const storedVersion = metadata[EVENT_VERSION_METADATA_KEY] ?? 1;
    if (
      typeof storedVersion !== 'number' ||
      !Number.isSafeInteger(storedVersion) ||
      storedVersion < 1
    ) {
      throw deserializationFailure(
        stored,
        `metadata.${EVENT_VERSION_METADATA_KEY} ${JSON.stringify(storedVersion)} is not a whole number >= 1; ` +
          'it is written by the library: do not set it in your own metadata',
      );
    }
    if (storedVersion > currentVersion) {
      throw deserializationFailure(
        stored,
        `it was stored at schema version ${storedVersion}, newer than version ${currentVersion} ` +
          `of ${className}; run a version of the application that knows it`,
      );
    }
    let data = stored.data;
    for (let version = storedVersion; version < currentVersion; version++) {
      const upcaster = this.steps.get(stored.type)?.get(version);
      if (upcaster === undefined) {
        throw new MissingUpcasterError(
          stored.type,
          version,
          storedVersion,
          currentVersion,
          stored.streamId,
        );
      }
      try {
        data = upcaster.upcast(data, metadata);
      } catch (cause) {
        throw deserializationFailure(
          stored,
          `the upcaster from version ${version} to ${version + 1} threw: ${errorMessage(cause)}; ` +
            'fix it to accept every payload stored at that version',
          cause,
        );
      }
    }
    return data;
  }
}
