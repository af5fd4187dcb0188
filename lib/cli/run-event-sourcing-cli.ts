import type { DynamicModule, Type } from '@nestjs/common';
import { errorMessage } from '../core/error-message.js';
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import { CliContext, CliError } from './cli-context.js';

/** The options of `runEventSourcingCli`. */
export interface EventSourcingCliOptions {
  /**
   * The arguments after the script, e.g. `['projections', 'status']`.
   * @default process.argv.slice(2)
   */
  argv?: string[];
  /** Where results go (tables, JSON, SQL). @default process.stdout */
  stdout?: Writable;
  /** Where progress, notes and errors go. @default process.stderr */
  stderr?: Writable;
  /**
   * Set `process.exitCode` to the result, so the process ends with it once the application is
   * closed. @default true when `argv` is omitted, false otherwise
   */
  exitOnEnd?: boolean;
  /** The program's name in `--help`. @default the script's file name */
  name?: string;
}

/**
 * The operator CLI: boots the application, runs one command, closes the application (also when
 * the command fails), and resolves with the exit code (0: done; 1: failed, or refused).
 *
 * ```
 * projections status [--json]          projections rebuild <name>
 * projections start|stop|reset <name>  projections delete <name> --yes
 * schema sql                           schema migrate
 * ```
 *
 * Pass the application's root module as it is (`forRoot` or `forRootAsync`): in the CLI's process
 * no projection or saga worker starts by itself, whatever the options say (`start` and `rebuild`
 * run the one projection they name), and `migrate: false` does not stop boot on missing tables. The application boots only when a command needs it (`--help` never
 * connects). An entry file:
 *
 * ```ts
 * // src/cli.ts (run: node dist/src/cli.js projections status)
 * import 'reflect-metadata';
 * import { runEventSourcingCli } from 'nestjs-event-sourcing';
 * import { AppModule } from './app.module.js';
 *
 * await runEventSourcingCli(AppModule);
 * ```
 */
export async function runEventSourcingCli(
  rootModule: Type | DynamicModule,
  options: EventSourcingCliOptions = {},
): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const argv = options.argv ?? process.argv.slice(2);
  const name = options.name ?? basename(process.argv[1] ?? 'cli').replace(/\.[cm]?js$/, '');
  const context = new CliContext(rootModule, stdout, stderr);
  // Loaded here, not at the top: an application importing the library never loads commander.
  const [{ createCliProgram }, { CommanderError }] = await Promise.all([
    import('./cli-program.js'),
    import('commander'),
  ]);
  let code = 0;
  try {
    await createCliProgram(context, name).parseAsync(argv, { from: 'user' });
  } catch (error) {
    // commander has printed its own usage errors and help: only the exit code is left
    code = error instanceof CommanderError ? error.exitCode : report(error, stderr);
  }
  try {
    await context.close();
  } catch (error) {
    stderr.write(`error: closing the application failed: ${errorMessage(error)}\n`);
    code ||= 1;
  }
  if (options.exitOnEnd ?? options.argv === undefined) process.exitCode = code;
  return code;
}

/** Prints what went wrong and picks the exit code. */
function report(error: unknown, stderr: Writable): number {
  stderr.write(`error: ${errorMessage(error)}\n`);
  return error instanceof CliError ? error.exitCode : 1;
}
