import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { UnknownWorkerError } from '../core/errors/unknown-worker.error.js';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import type { EventStore } from '../core/event-store.js';
import type { SubscriptionStore } from '../core/subscription-store.js';
import type { WorkerBalancer } from '../engine/worker-balancer.js';
import type { WorkerEnvironment } from '../engine/worker-environment.js';
import { WorkerHost } from '../engine/worker-host.js';
import { EventForwarder, type ForwarderStatus } from './event-forwarder.js';
import type { EventForwardingModuleOptions } from './event-forwarder.options.js';

/**
 * The forwarders configured with `EventForwardingModule`: started at bootstrap (unless the event
 * sourcing module runs with `workers: false`), stopped at shutdown, inspectable and controllable.
 * Their workers live in the engine's `WorkerHost` like those of projections and sagas (balanced,
 * woken on every commit notice, stopped together). lib/nest makes it from the module's options.
 */
export class EventForwarders implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly forwarders = new Map<string, EventForwarder>();
  private readonly host: WorkerHost;

  constructor(
    options: EventForwardingModuleOptions,
    store: EventStore,
    subscriptions: SubscriptionStore,
    environment: WorkerEnvironment,
    balancer?: WorkerBalancer,
  ) {
    if (!Array.isArray(options?.forwarders)) {
      throw new InvalidOptionsError(
        'forwarders',
        'EventForwardingModule needs { forwarders: [...] }',
      );
    }
    this.host = new WorkerHost({ store, subscriptions, environment, balancer });
    for (const forwarder of options.forwarders) {
      const name = (forwarder as { name?: unknown } | null)?.name;
      if (typeof name === 'string' && this.forwarders.has(name)) {
        throw new InvalidOptionsError('forwarders', `two forwarders are named "${name}"`);
      }
      const made = new EventForwarder(forwarder, this.host);
      this.forwarders.set(made.name, made);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    this.host.listen();
    if (!this.host.autoStart) return; // workers: false, and the operator CLI
    for (const name of this.names()) await this.start(name);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.host.stopAll();
  }

  names(): string[] {
    return [...this.forwarders.keys()];
  }

  status(): ForwarderStatus[] {
    return [...this.forwarders.values()].map((f) => f.status());
  }

  async start(name: string): Promise<void> {
    await this.get(name).worker.start();
  }

  async stop(name: string): Promise<void> {
    await this.get(name).worker.stop();
  }

  /** Resolves when the forwarder (or every forwarder) has published the whole log. */
  async waitForCatchUp(name?: string, options: { timeoutMs?: number } = {}): Promise<void> {
    await this.host.waitForCatchUp(name ? [this.get(name).name] : undefined, options);
  }

  get(name: string): EventForwarder {
    const forwarder = this.forwarders.get(name);
    if (!forwarder) {
      throw new UnknownWorkerError('forwarder', name, this.names());
    }
    return forwarder;
  }
}
