import type { Command } from 'commander';
import { SagaManager } from '../saga/saga-manager.js';
import type { SagaStatus } from '../saga/saga-status.js';
import { CliError, type CliContext } from './cli-context.js';
import { renderTable } from './text-table.js';

/** `sagas status | retry | discard`. */
export function registerSagasCommands(program: Command, context: CliContext): void {
  const sagas = program
    .command('sagas')
    .summary('inspect sagas and retry the events they parked')
    .description(
      'Inspect the durable sagas and process managers of the application. An event a saga kept ' +
        'failing on is parked (the saga goes on with the next ones): retry it after a fix.',
    );

  sagas
    .command('status')
    .summary('state, lag, parked events and pending timeouts of each saga')
    .option('--json', 'print JSON for scripts and monitoring')
    .action(async (options: { json?: boolean }) => {
      const statuses = await (await context.get(SagaManager)).status();
      context.print(options.json ? JSON.stringify(statuses, null, 2) : renderSagas(statuses));
    });

  sagas
    .command('retry <name> [eventId]')
    .summary('run parked events of a saga again (all, or one)')
    .action(async (name: string, eventId: string | undefined) => {
      const result = await (await context.get(SagaManager)).retry(name, eventId);
      for (const id of result.succeeded) context.print(`retried ${id}: succeeded`);
      for (const { eventId: id, error } of result.failed)
        context.print(`retried ${id}: failed again: ${error}`);
      if (result.succeeded.length === 0 && result.failed.length === 0) {
        context.print(`saga "${name}" has no parked event${eventId ? ` ${eventId}` : ''}`);
      }
      if (result.failed.length > 0) {
        throw new CliError(`${result.failed.length} event(s) are still parked; see "sagas status"`);
      }
    });

  sagas
    .command('discard <name> <eventId>')
    .summary('give up on a parked event for good (it is not run again)')
    .option('--yes', 'confirm')
    .action(async (name: string, eventId: string, options: { yes?: boolean }) => {
      if (!options.yes) {
        throw new CliError(
          `discarding drops event ${eventId} from saga "${name}" for good; add --yes`,
        );
      }
      await (await context.get(SagaManager)).discard(name, eventId);
      context.print(`discarded ${eventId} from saga "${name}"`);
    });
}

function renderSagas(statuses: SagaStatus[]): string {
  if (statuses.length === 0)
    return 'No sagas: register @DurableSaga or @EventSourcedSaga providers.';
  const header = [
    'NAME',
    'KIND',
    'STATE',
    'POSITION',
    'HEAD',
    'LAG',
    'PARKED',
    'SCHEDULED',
    'LAST ERROR',
  ];
  const numeric = [false, false, false, true, true, true, true, true, false];
  const rows = statuses.map((s) => [
    s.name,
    s.kind,
    s.state,
    String(s.position),
    String(s.headPosition),
    String(s.lag),
    String(s.parked.length),
    String(s.scheduled),
    s.lastError ?? '-',
  ]);
  const parked = statuses.flatMap((s) =>
    s.parked.map(
      (p) =>
        `  ${s.name} ${p.eventId} (${p.eventType} at ${p.position}, ${p.attempts} attempts): ${p.error}`,
    ),
  );
  const next = statuses.flatMap((s) =>
    s.nextScheduled.map(
      (m) =>
        `  ${s.name} ${m.instance} ${m.type} due ${m.dueAt.toISOString()}, ` +
        (m.waitsFor === undefined
          ? 'not due yet'
          : `waits for the saga to reach ${m.waitsFor} (at ${s.checkpoint ?? 'start'})`),
    ),
  );
  return [
    renderTable(header, rows, numeric),
    ...(parked.length ? ['parked events:', ...parked] : []),
    ...(next.length ? ['next scheduled messages (soonest first):', ...next] : []),
  ].join('\n');
}
