import { spawn, type ChildProcess } from 'node:child_process';
import { compileForNode } from './compile-for-node.js';
import type { SagaChildConfig } from './saga-child.js';

/** A running saga child process, killed with SIGKILL (never gracefully). */
export interface SagaChild {
  /** Resolves when the child printed `line` (rejects if it exits first). */
  printed(line: string): Promise<void>;
  /** SIGKILL; resolves with the signal it died of. */
  kill(): Promise<NodeJS.Signals | null>;
}

/** Starts a child process: saga-child.ts by default, or another entry taking a JSON config. */
export async function startSagaChild(
  config: SagaChildConfig | object,
  entryFromRoot = 'test/support/saga-child.ts',
): Promise<SagaChild> {
  const entry = await compileChild(entryFromRoot);
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

const compiled = new Map<string, Promise<string>>();
const removers: (() => void)[] = [];
const live = new Set<ChildProcess>();

/** Kills children a failed test left running and removes the compiled child (in afterAll). */
export function removeCompiledSagaChild(): void {
  for (const child of live) child.kill('SIGKILL');
  for (const remove of removers.splice(0)) remove();
  compiled.clear();
}

function compileChild(entryFromRoot: string): Promise<string> {
  let entry = compiled.get(entryFromRoot);
  if (!entry) {
    entry = compileForNode(entryFromRoot).then(({ entry: path, remove }) => {
      removers.push(remove);
      return path;
    });
    compiled.set(entryFromRoot, entry);
  }
  return entry;
}
