import type { EventStore } from '../core/event-store.js';
import { positionOf } from '../core/checkpoint.js';
import { WorkerHost } from '../engine/worker-host.js';
import type { ProjectionWorkers } from './projection-workers.js';

/** The options of `ProjectionManager.rebuild`. */
export interface RebuildOptions {
  /**
   * Build a second copy of the read model while the live one keeps serving and following the log,
   * then swap (needs a `@ProjectionSwap()` hook and handlers that write to `ctx.target`).
   * @default false (reset, then replay in place)
   */
  blueGreen?: boolean;
  /** Called after each committed batch with the events done and the total to do. */
  onProgress?: (done: number, total: number) => void;
  /** @default 10 minutes */
  timeoutMs?: number;
  /** Partitioned projections: rebuild only this bucket (0 .. partitions-1). */
  partition?: number;
}

export const DEFAULT_REBUILD_TIMEOUT_MS = 600_000;

/**
 * A rebuild in place, after the reset: the worker replays the log up to the head observed now
 * (events up to it count as replayed: nothing is emitted again for them), with progress reports.
 */
export async function replayInPlace(
  deps: { store: EventStore; host: WorkerHost; workers: ProjectionWorkers },
  name: string,
  start: () => Promise<void>,
  timeoutMs: number,
  onProgress: ((done: number, total: number) => void) | undefined,
): Promise<void> {
  const head = await deps.store.headCheckpoint();
  const total = positionOf(head);
  await deps.workers.replaying(name, head, async () => {
    const stopReporting = WorkerHost.reportProgress(
      total,
      () => deps.host.get(name)?.status().checkpoint,
      onProgress,
    );
    try {
      await start();
      await deps.host.waitForCatchUp([name], { timeoutMs });
      onProgress?.(total, total);
    } finally {
      stopReporting();
    }
  });
}
