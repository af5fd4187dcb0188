import {
  ConsoleLogger,
  type DynamicModule,
  type INestApplicationContext,
  type LogLevel,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Command } from 'commander';
import type { Writable } from 'node:stream';
import { asOperatorCliModule } from '../nest/operator-cli.module.js';

/** A failure the CLI explains itself: its message is printed as `error: ...` and it exits. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * What a command needs: the application (booted on first use, so `--help` and usage errors never
 * connect to the database) and the output streams.
 */
export class CliContext {
  private app: Promise<INestApplicationContext> | undefined;

  constructor(
    private readonly rootModule: Type | DynamicModule,
    readonly stdout: Writable,
    readonly stderr: Writable,
  ) {}

  /** A provider of the application, e.g. `await context.get(ProjectionManager)`. */
  async get<T>(token: ProviderClass<T>): Promise<T> {
    const app = await this.boot();
    return app.get<T>(token as Type<T>);
  }

  /** Prints a line of the command's result (stdout: what a script may pipe or parse). */
  print(text: string): void {
    this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Prints a line of commentary (stderr: notes, warnings, progress). */
  note(text: string): void {
    this.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Closes the application if a command booted it: stops workers, closes the connection. */
  async close(): Promise<void> {
    const app = this.app;
    this.app = undefined;
    if (!app) return;
    let booted: INestApplicationContext;
    try {
      booted = await app;
    } catch {
      return; // it never started; the boot error was reported already
    }
    await booted.close();
  }

  private boot(): Promise<INestApplicationContext> {
    this.app ??= this.createApp();
    return this.app;
  }

  private async createApp(): Promise<INestApplicationContext> {
    // The application's own module, told it runs in the operator CLI: no workers start here (a
    // rebuild starts the one it needs) and `schema migrate` can create missing tables.
    return NestFactory.createApplicationContext(asOperatorCliModule(this.rootModule), {
      logger: new StderrLogger({ logLevels: ['error', 'warn'] }),
      // Throw boot errors to the CLI (which reports them and exits non-zero) instead of aborting.
      abortOnError: false,
    });
  }
}

/** Nest's console logger, all on stderr: stdout stays clean for `status --json` and `schema sql`. */
class StderrLogger extends ConsoleLogger {
  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    _stream?: 'stdout' | 'stderr',
    ...rest: [errorStack?: unknown, params?: Record<string, unknown>]
  ): void {
    super.printMessages(messages, context, logLevel, 'stderr', ...rest);
  }
}

/** A provider's class; its constructor may be abstract or private. */
export type ProviderClass<T> = { readonly prototype: T; readonly name: string };

/**
 * Adds one group of commands (`projections ...`, `schema ...`) to the program. A new group, such
 * as `sagas status|retry`, is a function like this in its own file, listed in `cli-program.ts`.
 */
export type CliCommandGroup = (program: Command, context: CliContext) => void;
