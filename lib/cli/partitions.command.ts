import { InvalidArgumentError, type Command } from 'commander';
import type { ParkedPartition } from '../core/parked-partition-store.js';
import { ProjectionManager } from '../projection/projection-manager.js';
import { CliError, type CliContext } from './cli-context.js';
import { renderTable } from './text-table.js';

/** `projections parked [name]` and `projections retry <name> --partition <key>`. */
export function registerPartitionCommands(projections: Command, context: CliContext): void {
  projections
    .command('parked [name]')
    .summary('the keys partitioned projections parked (all, or of one projection)')
    .description(
      'List the partition keys a partitioned projection gave up on: the event that kept failing, ' +
        'its attempts and error. The other keys go on; a parked key waits for ' +
        '"projections retry <name> --partition <key>" after a fix.',
    )
    .option('--json', 'print JSON for scripts and monitoring')
    .action(async (name: string | undefined, options: { json?: boolean }) => {
      const parked = await (await context.get(ProjectionManager)).parked(name);
      context.print(options.json ? `${JSON.stringify(parked, null, 2)}\n` : renderParked(parked));
    });

  projections
    .command('retry <name>')
    .summary('retry a parked key of a partitioned projection after a fix')
    .description(
      "Ask the process holding the key's bucket to apply the key's events again, from the parked " +
        'one up to where the bucket is, in one transaction that unparks it; wait for the outcome. ' +
        'Exits 1 when it fails again (the key stays parked, attempts + 1) or nobody retried it in time.',
    )
    .requiredOption('--partition <key>', 'the parked partition key (see "projections parked")')
    .option('--timeout <seconds>', 'how long to wait for the outcome', seconds, 30)
    .action(async (name: string, options: { partition: string; timeout: number }) => {
      const manager = await context.get(ProjectionManager);
      const key = options.partition;
      const before = await find(manager, name, key);
      if (!before) throw new CliError(`projection "${name}" has no parked partition "${key}"`);
      const outcome = await manager.retryPartition(name, key);
      if (outcome.state === 'resolved') {
        context.print(`partition "${key}" caught up: ${outcome.events} event(s) applied`);
        return;
      }
      if (outcome.state === 'failed') throw failedAgain(name, key, outcome.error);
      if (outcome.state === 'not-parked') {
        context.print(`partition "${key}" is not parked (any more)`);
        return;
      }
      context.note(
        `retry requested; waiting for ${outcome.owner ?? 'the process that runs the bucket'}`,
      );
      await waitForRetry(context, manager, name, before, options.timeout * 1000);
    });
}

async function waitForRetry(
  context: CliContext,
  manager: ProjectionManager,
  name: string,
  before: ParkedPartition,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await find(manager, name, before.key);
    if (!now) {
      context.print(`partition "${before.key}" caught up: unparked`);
      return;
    }
    if (now.attempts > before.attempts) throw failedAgain(name, before.key, now.error);
    if (Date.now() > deadline) {
      throw new CliError(
        `partition "${before.key}" was not retried within ${timeoutMs / 1000} s: no running ` +
          `instance holds bucket ${name}#${before.partition}, or it is busy; the request stays ` +
          'and the instance that runs the bucket makes it (start the application, or run this again)',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function find(
  manager: ProjectionManager,
  name: string,
  key: string,
): Promise<ParkedPartition | undefined> {
  return (await manager.parked(name)).find((row) => row.key === key);
}

function failedAgain(name: string, key: string, error: string): CliError {
  return new CliError(
    `partition "${key}" of "${name}" failed again and stays parked: ${error}; fix the cause, ` +
      `then run "projections retry ${name} --partition ${key}" again`,
  );
}

function renderParked(rows: ParkedPartition[]): string {
  if (rows.length === 0) return 'No parked partitions.\n';
  const header = [
    'PROJECTION',
    'KEY',
    'BUCKET',
    'EVENT',
    'POSITION',
    'ATTEMPTS',
    'PARKED AT',
    'ERROR',
  ];
  const body = rows.map((r) => [
    r.projection,
    r.key,
    String(r.partition),
    `${r.eventType} ${r.streamId} v${r.version}`,
    String(r.position),
    String(r.attempts) + (r.retryRequestedAt ? ' (retry requested)' : ''),
    r.parkedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    r.error.replace(/\s+/g, ' ').slice(0, 60),
  ]);
  return `${renderTable(header, body, [false, false, true, false, true, false, false, false])}\n`;
}

function seconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) {
    throw new InvalidArgumentError('a number of seconds above 0, e.g. 30');
  }
  return parsed;
}
