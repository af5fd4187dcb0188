import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { UnknownWorkerError } from '../core/errors/unknown-worker.error.js';
import { InvalidOptionsError } from '../core/errors/invalid-options.error.js';
import type { EventStore } from '../core/event-store.js';
import type { SubscriptionStore } from '../core/subscription-store.js';
import type { WorkerBalancer } from '../engine/worker-balancer.js';
import { EventForwarder, type ForwarderStatus } from './event-forwarder.js';
import type { EventForwardingModuleOptions } from './event-forwarder.options.js';
import type { WorkerEnvironment } from '../engine/worker-environment.js';

/**
 * The forwarders configured with `EventForwardingModule`: started at bootstrap (unless the event
 * sourcing module runs with `workers: false`), stopped at shutdown, inspectable and controllable.
 * lib/nest makes it from the module's options (`EventForwardingModule`).
 */
export class EventForwarders implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly forwarders = new Map<string, EventForwarder>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    options: EventForwardingModuleOptions,
    private readonly store: EventStore,
    private readonly subscriptions: SubscriptionStore,
    private readonly environment: WorkerEnvironment,
    private readonly balancer?: WorkerBalancer,
  ) {
    if (!Array.isArray(options?.forwarders)) {
      throw new InvalidOptionsError(
        'forwarders',
        'EventForwardingModule needs { forwarders: [...] }',
      );
    }
    for (const forwarder of options.forwarders) {
      const made = new EventForwarder(forwarder, {
        eventStore: this.store,
        subscriptionStore: this.subscriptions,
        // Forwarders count among the workers the application's instances share evenly.
        subscription: { balancer: this.balancer },
      });
      if (this.forwarders.has(made.name)) {
        throw new InvalidOptionsError('forwarders', `two forwarders are named "${made.name}"`);
      }
      this.forwarders.set(made.name, made);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = this.environment.changes.subscribe(() => {
      for (const forwarder of this.forwarders.values()) forwarder.wake();
    });
    if (!this.environment.autoStart) return; // workers: false, and the operator CLI
    for (const forwarder of this.forwarders.values()) await forwarder.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([...this.forwarders.values()].map((f) => f.stop()));
  }

  names(): string[] {
    return [...this.forwarders.keys()];
  }

  status(): ForwarderStatus[] {
    return [...this.forwarders.values()].map((f) => f.status());
  }

  async start(name: string): Promise<void> {
    await this.get(name).start();
  }

  async stop(name: string): Promise<void> {
    await this.get(name).stop();
  }

  /** Resolves when the forwarder (or every forwarder) has published the whole log. */
  async waitForCatchUp(name?: string, options: { timeoutMs?: number } = {}): Promise<void> {
    const targets = name ? [this.get(name)] : [...this.forwarders.values()];
    await Promise.all(targets.map((f) => f.waitForCatchUp(options)));
  }

  get(name: string): EventForwarder {
    const forwarder = this.forwarders.get(name);
    if (!forwarder) {
      throw new UnknownWorkerError('forwarder', name, this.names());
    }
    return forwarder;
  }
}
