import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformFile } from '@swc/core';
import type { SagaChildConfig } from './saga-child.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A running saga child process, killed with SIGKILL (never gracefully). */
export interface SagaChild {
  /** Resolves when the child printed `line` (rejects if it exits first). */
  printed(line: string): Promise<void>;
  /** SIGKILL; resolves with the signal it died of. */
  kill(): Promise<NodeJS.Signals | null>;
}

export async function startSagaChild(config: SagaChildConfig): Promise<SagaChild> {
  const entry = await compileChild();
  const child: ChildProcess = spawn(process.execPath, [entry, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const check of [...waiters]) check();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((done) =>
    child.on('exit', (_code, signal) => {
      done(signal);
      for (const check of [...waiters]) check();
    }),
  );
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  guard.unref();
  live.add(child);
  child.on('exit', () => live.delete(child));
  return {
    printed: (line) =>
      new Promise<void>((resolvePrinted, reject) => {
        const check = () => {
          if (stdout.split('\n').includes(line)) {
            waiters.splice(waiters.indexOf(check), 1);
            resolvePrinted();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.splice(waiters.indexOf(check), 1);
            reject(new Error(`the saga child exited before printing "${line}":\n${stderr}`));
          }
        };
        waiters.push(check);
        check();
      }),
    kill: async () => {
      clearTimeout(guard);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}

let compiled: Promise<string> | undefined;
let compiledDir: string | undefined;
const live = new Set<ChildProcess>();

/** Kills children a failed test left running and removes the compiled child (in afterAll). */
export function removeCompiledSagaChild(): void {
  for (const child of live) child.kill('SIGKILL');
  if (compiledDir) rmSync(compiledDir, { recursive: true, force: true });
  compiled = compiledDir = undefined;
}

/**
 * The child runs on plain node: SWC compiles it and the files it imports (relative imports only)
 * into a temp dir (a package of type module, node_modules linked to the project's).
 */
function compileChild(): Promise<string> {
  compiled ??= (async () => {
    const out = mkdtempSync(join(tmpdir(), 'saga-child-'));
    writeFileSync(join(out, 'package.json'), '{ "type": "module" }');
    symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
    const entry = join(ROOT, 'test/support/saga-child.ts');
    const pending = [entry];
    const done = new Set<string>();
    while (pending.length) {
      const file = pending.pop()!;
      if (done.has(file)) continue;
      done.add(file);
      const { code } = await transformFile(file, {
        swcrc: false,
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'es6' },
      });
      const target = join(out, relative(ROOT, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, code);
      // Statements only (a doc comment may show an import too).
      const imports = /^(?:import|export)\s(?:[^;]*?\sfrom\s*)?['"](\.{1,2}\/[^'"]+)\.js['"]/gm;
      for (const [, spec] of code.matchAll(imports)) {
        pending.push(resolve(dirname(file), `${spec}.ts`));
      }
    }
    compiledDir = out;
    return join(out, 'test/support/saga-child.js');
  })();
  return compiled;
}
