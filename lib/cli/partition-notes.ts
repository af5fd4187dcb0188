import type { ProjectionStatus } from '../projection/projection-status.js';

/**
 * Lines under the status table for partitioned projections: where each bucket runs, and how many
 * keys are parked.
 * ```
 * tallies: 4 partitions: #0 this process, #1 web-2:77:cd34, #2 -, #3 this process; 1 parked key ("projections parked tallies")
 * ```
 */
export function partitionNotes(reports: ProjectionStatus[]): string[] {
  const lines = reports.flatMap((r) => {
    if (!r.partitions) return [];
    const where = r.partitions
      .map((p) => `#${p.index} ${p.isLeaseOwner ? 'this process' : (p.leaseOwner ?? '-')}`)
      .join(', ');
    const parked = r.parked ?? 0;
    const keys =
      parked === 0
        ? 'no parked key'
        : `${parked} parked key${parked === 1 ? '' : 's'} ("projections parked ${r.name}")`;
    return [`${r.name}: ${r.partitions.length} partitions: ${where}; ${keys}`];
  });
  return lines.length ? ['', ...lines] : [];
}
