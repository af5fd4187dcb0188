import type { SubscriptionLogger } from './subscription.options.js';
import { errorMessage } from '../core/error-message.js';
import type { SubscriptionStore } from '../core/subscription-store.js';

/**
 * Holds one subscription's lease for one owner: takes it, renews it every third of its time to
 * live while held, and gives it up. Renewal runs on a timer of its own, so a long batch does not
 * let the lease lapse; a renewal that finds another owner marks the lease lost.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;
  private isHeld = false;

  constructor(
    private readonly store: SubscriptionStore,
    private readonly name: string,
    private readonly owner: string,
    private readonly ttlMs: number,
    private readonly logger: SubscriptionLogger,
  ) {}

  /** Whether this owner believes it holds the lease (batches re-check it when they commit). */
  get held(): boolean {
    return this.isHeld;
  }

  async acquire(): Promise<boolean> {
    const acquired = await this.store.tryAcquireLease(this.name, this.owner, this.ttlMs);
    if (acquired && !this.isHeld) {
      this.isHeld = true;
      this.timer = setInterval(() => void this.renew(), Math.max(1, Math.floor(this.ttlMs / 3)));
      this.timer.unref();
    }
    return acquired;
  }

  /** Forgets the lease without telling the store (it was lost, or the owner plays dead). */
  drop(): void {
    this.isHeld = false;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async release(): Promise<void> {
    const held = this.isHeld;
    this.drop();
    if (held) await this.store.releaseLease(this.name, this.owner);
  }

  private async renew(): Promise<void> {
    if (this.renewing) return; // the previous renewal still waits, e.g. on a committing batch
    this.renewing = true;
    try {
      const renewed = await this.store.renewLease(this.name, this.owner, this.ttlMs);
      if (!renewed && this.isHeld) {
        this.logger.warn(`lease taken over by another owner; "${this.owner}" stands by`);
        this.drop();
      }
    } catch (error) {
      this.logger.warn(`could not renew the lease: ${errorMessage(error)}`);
    } finally {
      this.renewing = false;
    }
  }
}
