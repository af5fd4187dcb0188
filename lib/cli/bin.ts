#!/usr/bin/env node
// The operator CLI as a package bin: `npx nestjs-event-sourcing --module dist/app.module.js
// projections status`. It imports the application's root module and hands it to
// runEventSourcingCli, which boots it without workers.
import 'reflect-metadata';
import { errorMessage } from '../core/error-message.js';
import type { DynamicModule, Type } from '@nestjs/common';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runEventSourcingCli } from './run-event-sourcing-cli.js';

const USAGE =
  'usage: nestjs-event-sourcing --module <compiled module file>[#ExportName] <command> [options]\n' +
  '  e.g. nestjs-event-sourcing --module dist/app.module.js#AppModule projections status\n' +
  '  the export (default AppModule) is a module class or a DynamicModule (AppModule.forRoot(...))\n';

/** Splits `--module file#Export` (or `-m`) from the command's own arguments. */
function parseModuleArgument(argv: string[]): { spec?: string; rest: string[] } {
  const rest: string[] = [];
  let spec: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--module' || arg === '-m') spec = argv[++i];
    else if (arg.startsWith('--module=')) spec = arg.slice('--module='.length);
    else rest.push(arg);
  }
  return { spec, rest };
}

async function loadModule(spec: string): Promise<Type | DynamicModule> {
  const [file, exportName = 'AppModule'] = spec.split('#');
  const loaded = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  const value = loaded[exportName];
  if (typeof value !== 'function' && (typeof value !== 'object' || value === null)) {
    throw new Error(
      `${file} has no export "${exportName}"; name it after #, e.g. ${file}#${Object.keys(loaded)[0] ?? 'AppModule'}`,
    );
  }
  return value as Type | DynamicModule;
}

const { spec, rest } = parseModuleArgument(process.argv.slice(2));
if (!spec) {
  process.stderr.write(USAGE);
  process.exitCode = 1;
} else {
  try {
    const rootModule = await loadModule(spec);
    await runEventSourcingCli(rootModule, {
      argv: rest,
      exitOnEnd: true,
      name: 'nestjs-event-sourcing',
    });
  } catch (error) {
    process.stderr.write(`error: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  }
}
