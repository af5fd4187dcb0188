import type { Observable } from 'rxjs';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import type { ForwardedEvent } from './forwarded-event.js';

/**
 * What a forwarder needs of a `@nestjs/microservices` `ClientProxy` (ClientRMQ, ClientNats,
 * ClientKafka, ...): `emit`, and `unwrap` to flush transports whose `emit` does not wait for the
 * broker (NATS).
 */
export interface ForwarderClient {
  emit(pattern: unknown, data: unknown): Observable<unknown>;
  unwrap?<T>(): T;
}

/** The options of `EventForwardingModule.forRoot`. */
export interface EventForwardingModuleOptions {
  /** One forwarder per destination (broker client and pattern). */
  forwarders: ForwarderOptions[];
}

/** One forwarder: where it publishes the stored events, and which ones. */
export interface ForwarderOptions {
  /**
   * The forwarder's name: its checkpoint and lease are stored as subscription `forward:<name>`,
   * and it is the envelope's `source`. Letters, digits, `.`, `_` and `-`.
   */
  name: string;
  /** The broker client (e.g. injected with `@Inject('BANK_EVENTS')` from `ClientsModule`). */
  client: ForwarderClient;
  /**
   * The message pattern (NATS subject, RabbitMQ pattern, Kafka topic): fixed, or per event.
   * Events of one stream stay in order only within one pattern.
   * @default the forwarder's name
   */
  pattern?: string | ((event: ForwardedEvent) => string);
  /** Only events of streams in these categories (`account` for `account-42`). @default all */
  categories?: string[];
  /** Only events of these types. @default all */
  types?: string[];
  /** Events per batch: published one by one, then checkpointed together. @default 100 */
  batchSize?: number;
  /** How long the broker may take to confirm one event before the batch is retried. @default 5000 */
  publishTimeoutMs?: number;
  /** @default 250 */
  pollIntervalMs?: number;
  /** @default 10000 */
  leaseTtlMs?: number;
}

const NAME = /^[A-Za-z0-9._-]{1,200}$/;

export function validateForwarderOptions(o: ForwarderOptions): ForwarderOptions {
  if (typeof o !== 'object' || o === null) {
    throw new InvalidOptionsError('forwarders', 'each forwarder needs an options object');
  }
  if (typeof o.name !== 'string' || !NAME.test(o.name)) {
    throw new InvalidOptionsError(
      'forwarders[].name',
      `"${String(o.name)}" must be 1 to 200 letters, digits, ".", "_" or "-"`,
    );
  }
  if (typeof o.client?.emit !== 'function') {
    throw new InvalidOptionsError(
      `forwarders[${o.name}].client`,
      'expected a @nestjs/microservices ClientProxy (ClientsModule.register, then inject it)',
    );
  }
  if (o.pattern !== undefined && typeof o.pattern !== 'string' && typeof o.pattern !== 'function') {
    throw new InvalidOptionsError(
      `forwarders[${o.name}].pattern`,
      'must be a string or a function',
    );
  }
  for (const key of ['categories', 'types'] as const) {
    const list = o[key];
    if (list !== undefined && (!Array.isArray(list) || list.some((v) => typeof v !== 'string'))) {
      throw new InvalidOptionsError(`forwarders[${o.name}].${key}`, 'must be an array of strings');
    }
  }
  for (const key of ['batchSize', 'publishTimeoutMs', 'pollIntervalMs', 'leaseTtlMs'] as const) {
    const value = o[key];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
      throw new InvalidOptionsError(
        `forwarders[${o.name}].${key}`,
        `must be a whole number >= 1 (got ${String(value)})`,
      );
    }
  }
  return o;
}
