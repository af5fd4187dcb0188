/** How many instances are alive now (the instance registry's view). */
export interface LiveInstances {
  readonly instanceId: string;
  /** Live instances, this one included (at least 1). */
  liveCount(): number;
}

/**
 * Spreads one application's workers (projections, sagas, forwarders) evenly over its instances:
 * each instance holds at most its fair share, ceil(workers / live instances), of the leases. An
 * instance under its share takes free leases; one over it (an instance joined) gives one lease up
 * at a batch boundary, and an instance that died stops counting once its heartbeat is older than
 * the lease time, so the others' shares grow and they take its expired leases.
 */
export class WorkerBalancer {
  private readonly workers = new Map<string, () => boolean>();
  private reserved = 0;

  constructor(private readonly instances: LiveInstances) {}

  get instanceId(): string {
    return this.instances.instanceId;
  }

  /** A worker of this instance, and how to tell whether it holds its lease now. */
  register(name: string, isHeld: () => boolean): void {
    this.workers.set(name, isHeld);
  }

  unregister(name: string): void {
    this.workers.delete(name);
  }

  /** ceil(workers / live instances): every instance runs the same workers. */
  share(): number {
    return Math.ceil(this.workers.size / Math.max(1, this.instances.liveCount()));
  }

  held(): string[] {
    return [...this.workers].filter(([, isHeld]) => isHeld()).map(([name]) => name);
  }

  /**
   * Whether this instance may try to take one more lease; true reserves a place until
   * `unreserve()`, so workers asking at the same time do not overshoot the share together.
   */
  reserve(): boolean {
    if (this.held().length + this.reserved >= this.share()) return false;
    this.reserved++;
    return true;
  }

  unreserve(): void {
    this.reserved = Math.max(0, this.reserved - 1);
  }

  /**
   * Whether the worker should give its lease up now (called between batches). The caller releases
   * at once, so the next worker asking sees the lower count: one lease per excess is given up.
   */
  shouldYield(): boolean {
    return this.held().length > this.share();
  }
}
