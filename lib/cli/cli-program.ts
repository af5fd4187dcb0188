import { Command } from 'commander';
import type { CliCommandGroup, CliContext } from './cli-context.js';
import { registerForwardersCommands } from './forwarders.command.js';
import { registerInstancesCommands } from './instances.command.js';
import { registerProjectionsCommands } from './projections.command.js';
import { registerSagasCommands } from './sagas.command.js';
import { registerSchemaCommands } from './schema.command.js';

/**
 * The command groups, in the order `--help` lists them. To add one (e.g. `sagas status|retry`),
 * write a `CliCommandGroup` in its own file (see `projections.command.ts`) and list it here.
 */
export const COMMAND_GROUPS: readonly CliCommandGroup[] = [
  registerProjectionsCommands,
  registerSagasCommands,
  registerForwardersCommands,
  registerInstancesCommands,
  registerSchemaCommands,
];

/** A fresh program per run (commander keeps parsed state), writing to the context's streams. */
export function createCliProgram(context: CliContext, name: string): Command {
  const program = new Command(name)
    .description(
      'Operate the event store of this application: projections, sagas, forwarders, the ' +
        'instances that run them, and the database schema.',
    )
    // Set before the subcommands are added: they inherit both.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    })
    .showHelpAfterError('(add --help for usage)');
  for (const register of COMMAND_GROUPS) register(program, context);
  return program;
}
