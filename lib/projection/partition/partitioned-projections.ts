import { PartitionError } from '../../core/errors/partition.error.js';
import type { ParkedPartition } from '../../core/parked-partition-store.js';
import { PartitionedProjection, type PartitionedProjectionDeps } from './partitioned-projection.js';

/** The partitioned projections of one ProjectionManager, by name. */
export class PartitionedProjections {
  private readonly byName = new Map<string, PartitionedProjection>();

  /** Makes the buckets of a projection declared with `partitionBy` (others: undefined). */
  add(deps: PartitionedProjectionDeps): void {
    if (deps.runner.metadata.partitioned) {
      this.byName.set(deps.runner.name, new PartitionedProjection(deps));
    }
  }

  get(name: string): PartitionedProjection | undefined {
    return this.byName.get(name);
  }

  /** The projection, or an error saying it is not partitioned. */
  require(name: string): PartitionedProjection {
    const projection = this.byName.get(name);
    if (!projection) {
      throw PartitionError.notPartitioned(name, [...this.byName.keys()]);
    }
    return projection;
  }

  all(): PartitionedProjection[] {
    return [...this.byName.values()];
  }

  reading(): string[] {
    return this.all().flatMap((p) => p.reading());
  }

  wake(): void {
    for (const projection of this.all()) projection.wake();
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all().map((p) => p.stop()));
  }

  async parked(name?: string): Promise<ParkedPartition[]> {
    if (name !== undefined) return this.require(name).parked();
    return (await Promise.all(this.all().map((p) => p.parked()))).flat();
  }
}
