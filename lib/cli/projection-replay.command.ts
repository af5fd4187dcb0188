import type { Command } from 'commander';
import { ProjectionManager } from '../projection/projection-manager.js';
import { SubscriptionCatchUpTimeoutError } from '../core/errors/subscription-catch-up-timeout.error.js';
import { SubscriptionFailedError } from '../core/errors/subscription-failed.error.js';
import { CliError, type CliContext } from './cli-context.js';
import { formatDuration, ProgressBar } from './progress-bar.js';
import { reportOf, warnIfRunElsewhere } from './projection-reports.js';
import { bucketIndex, minutes } from './cli-arguments.js';

// The two commands that run a projection here until it has caught up, with a progress bar.

const TIMEOUT_HELP = 'give up waiting after this many minutes (the progress made is kept)';
const DEFAULT_TIMEOUT_MINUTES = 60;

/** `projections start <name>`: resume here and wait until caught up. */
export function registerStartCommand(projections: Command, context: CliContext): void {
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
}

/** `projections rebuild <name> [--blue-green] [--partition i]`: replay the log here. */
export function registerRebuildCommand(projections: Command, context: CliContext): void {
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
