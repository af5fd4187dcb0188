import { InvalidArgumentError, type Command } from 'commander';
import { ProjectionManager } from '../projection/projection-manager.js';
import { SubscriptionCatchUpTimeoutError } from '../core/errors/subscription-catch-up-timeout.error.js';
import { SubscriptionFailedError } from '../core/errors/subscription-failed.error.js';
import { CliError, type CliContext } from './cli-context.js';
import { formatDuration, ProgressBar } from './progress-bar.js';
import { reportOf, statusOf, warnIfRunElsewhere } from './projection-reports.js';
import { renderStatusJson, renderStatusTable } from './status-table.js';
import { registerPartitionCommands } from './partitions.command.js';

const TIMEOUT_HELP = 'give up waiting after this many minutes (the progress made is kept)';
const DEFAULT_TIMEOUT_MINUTES = 60;

/** `projections status | start | stop | reset | rebuild | delete`. */
export function registerProjectionsCommands(program: Command, context: CliContext): void {
  const projections = program
    .command('projections')
    .summary('inspect and control the projections (read models)')
    .description('Inspect and control the projections (read models) of the application.');

  projections
    .command('status')
    .summary('state, lag, lease and last error of each projection')
    .description(
      'List every projection: its mode, state, checkpoint position, the head of the log, the lag ' +
        'in events (an estimate on PostgreSQL), which process holds its lease (the one running ' +
        'it), and its last error.',
    )
    .option('--json', 'print JSON (one object per projection) for scripts and monitoring')
    .action(async (options: { json?: boolean }) => {
      const reports = await statusOf(context);
      context.print(options.json ? renderStatusJson(reports) : renderStatusTable(reports));
    });

  projections
    .command('start <name>')
    .summary('resume a projection and wait until it has caught up')
    .description(
      'Resume a stopped or failed projection from its last committed checkpoint, here, and wait ' +
        'until it has caught up with the log (progress on stderr). A failure is cleared: the ' +
        "application's workers, the one that failed included, take the projection over afterwards.",
    )
    .option('--timeout <minutes>', TIMEOUT_HELP, minutes, DEFAULT_TIMEOUT_MINUTES)
    .action(async (name: string, options: { timeout: number }) => {
      const manager = await context.get(ProjectionManager);
      const from = await reportOf(context, name);
      await manager.start(name);
      warnIfRunElsewhere(context, from, 'it catches up there; this command waits for it');
      const bar = new ProgressBar(context.stderr, { label: name });
      const base = from?.position ?? 0;
      let watching = true;
      const timer = setInterval(() => {
        void reportOf(context, name).then(
          (r) => {
            if (r && watching) bar.update(r.position - base, r.headPosition - base);
          },
          () => undefined, // the wait below reports a broken connection
        );
      }, 250);
      try {
        await manager.waitForCatchUp(name, { timeoutMs: options.timeout * 60_000 });
      } catch (error) {
        throw explain(error, name);
      } finally {
        watching = false;
        clearInterval(timer);
        bar.end();
      }
      const now = await reportOf(context, name);
      context.print(
        `projection "${name}" started and caught up: position ${now?.position ?? '?'} ` +
          `(lag ${now?.lag ?? '?'})`,
      );
    });

  projections
    .command('stop <name>')
    .summary('stop a projection here; says which process runs it')
    .description(
      'Stop the projection in this process. The CLI cannot stop a worker of another process: ' +
        'when one holds the lease, it says which and exits 1.',
    )
    .action(async (name: string) => {
      const manager = await context.get(ProjectionManager);
      await manager.stop(name);
      const report = await reportOf(context, name);
      if (report?.leaseOwner !== undefined && !report.isLeaseOwner) {
        throw new CliError(
          `projection "${name}" runs in process ${report.leaseOwner} (lease until ` +
            `${report.leaseExpiresAt?.toISOString()}); the CLI stops only workers of its own ` +
            'process: stop it there (ProjectionManager.stop), or run that process with workers: false',
        );
      }
      context.print(
        `projection "${name}" is stopped: no process runs it (state ${report?.state}, ` +
          `position ${report?.position}, lag ${report?.lag})`,
      );
    });

  projections
    .command('reset <name>')
    .summary('empty the read model; checkpoint back to the start')
    .description(
      'Empty the read model (its @ProjectionReset hook) and move its checkpoint back to the start ' +
        'of the log. It replays when a worker next runs it ("projections start", or the ' +
        "application's workers).",
    )
    .option('--partition <index>', 'partitioned projections: only this bucket', bucketIndex)
    .action(async (name: string, options: { partition?: number }) => {
      const manager = await context.get(ProjectionManager);
      const before = await reportOf(context, name);
      await manager.reset(name, { partition: options.partition });
      const which = options.partition === undefined ? '' : ` (partition ${options.partition})`;
      context.print(
        `projection "${name}"${which} reset: read model emptied, checkpoint at the start of the log`,
      );
      if (!warnIfRunElsewhere(context, before, 'it replays the log from the start there now')) {
        context.note(`nothing runs it now: "projections start ${name}" replays the log`);
      }
    });

  projections
    .command('rebuild <name>')
    .summary('reset a projection and replay the whole log into it')
    .description(
      'Reset the projection, then replay the whole log into it here, with a progress bar on ' +
        'stderr. Exits 1 with the error if a handler keeps failing. Events the projection emits ' +
        'are not emitted again for the replayed events. With --blue-green the live read model keeps ' +
        'serving and following the log while a second copy is built, then @ProjectionSwap switches.',
    )
    .option('--timeout <minutes>', TIMEOUT_HELP, minutes, DEFAULT_TIMEOUT_MINUTES)
    .option('--blue-green', 'build a second copy while the live one keeps serving, then swap')
    .option('--partition <index>', 'partitioned projections: only this bucket', bucketIndex)
    .action(async (name: string, options: RebuildCommandOptions) => {
      const manager = await context.get(ProjectionManager);
      const before = await reportOf(context, name);
      warnIfRunElsewhere(context, before, 'it replays there; progress shows when it has caught up');
      const bar = new ProgressBar(context.stderr, { label: name });
      const started = Date.now();
      let total = 0;
      try {
        await manager.rebuild(name, {
          blueGreen: options.blueGreen ?? false,
          timeoutMs: options.timeout * 60_000,
          partition: options.partition,
          onProgress: (done, all) => {
            total = all;
            bar.update(done, all);
          },
        });
        bar.complete(total);
      } catch (error) {
        bar.end();
        throw explain(error, name);
      }
      context.print(
        `projection "${name}" rebuilt: replayed the log up to position ${total} in ` +
          formatDuration(Date.now() - started),
      );
    });

  projections
    .command('delete <name>')
    .summary('drop the read model and checkpoint (needs --yes)')
    .description(
      'Drop the read model (its @ProjectionDelete hook) and forget the checkpoint. Needs --yes. ' +
        'Remove the projection from the application too, or its workers build it again from ' +
        'scratch.',
    )
    .option('--yes', 'confirm: the read model is dropped')
    .action(async (name: string, options: { yes?: boolean }) => {
      if (!options.yes) {
        throw new CliError(
          `not deleting projection "${name}" without --yes: its @ProjectionDelete hook drops the ` +
            'read model and its checkpoint is forgotten (a rebuild replays the whole log); run ' +
            `"projections delete ${name} --yes" to confirm`,
        );
      }
      const manager = await context.get(ProjectionManager);
      const report = await reportOf(context, name);
      if (report?.leaseOwner !== undefined && !report.isLeaseOwner) {
        throw new CliError(
          `projection "${name}" runs in process ${report.leaseOwner}; stop it there (or deploy ` +
            'the application without it) before deleting its read model',
        );
      }
      await manager.delete(name);
      context.print(`projection "${name}" deleted: read model dropped, checkpoint forgotten`);
    });

  registerPartitionCommands(projections, context);

  projections.addHelpText('after', () => {
    const cli = program.name();
    return `
Examples:
  $ ${cli} projections status
  $ ${cli} projections status --json
  $ ${cli} projections rebuild order_summary
  $ ${cli} projections delete old_summary --yes
  $ ${cli} projections parked
  $ ${cli} projections retry order_summary --partition order-42

The CLI boots the application with workers: false, whatever its module's options say: no worker
starts by itself, and "start" and "rebuild" run only the projection they name, until they finish.`;
  });
}

/** Adds what to run next to the errors of a projection that fails or is slow. */
function explain(error: unknown, name: string): unknown {
  if (error instanceof SubscriptionFailedError) {
    return new CliError(
      `${error.message}\nthe read model keeps what was committed before the failing event; ` +
        `after a fix run "projections start ${name}" to resume, or "projections rebuild ${name}"`,
    );
  }
  if (error instanceof SubscriptionCatchUpTimeoutError) {
    return new CliError(
      `${error.message}\nthe progress made is kept: "projections start ${name}" continues, ` +
        'or pass a longer --timeout',
    );
  }
  return error;
}

interface RebuildCommandOptions {
  timeout: number;
  blueGreen?: boolean;
  partition?: number;
}

function bucketIndex(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new InvalidArgumentError('a bucket number from 0, e.g. 3 (see "projections status")');
  }
  return parsed;
}

function minutes(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) {
    throw new InvalidArgumentError('a number of minutes above 0, e.g. 30 or 0.5');
  }
  return parsed;
}
