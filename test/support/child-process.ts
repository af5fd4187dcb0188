import { spawn, type ChildProcess } from 'node:child_process';
import { compileForNode } from './compile-for-node.js';

/** A child process of a drill: watched output, killed with SIGKILL (never gracefully). */
export interface DrillChild {
  /** Resolves when a line of output contains `text` (rejects if the child exits first). */
  printed(text: string, timeoutMs?: number): Promise<void>;
  output(): string;
  signal(signal: NodeJS.Signals): void;
  kill(): Promise<void>;
}

/** Compiles children once per entry; `removeAll()` (in afterAll) kills leftovers and cleans up. */
export class DrillChildren {
  private readonly compiled = new Map<string, Promise<{ entry: string; remove(): void }>>();
  private readonly live = new Set<ChildProcess>();

  async start(entryFromRoot: string, config: unknown): Promise<DrillChild> {
    if (!this.compiled.has(entryFromRoot)) {
      this.compiled.set(entryFromRoot, compileForNode(entryFromRoot));
    }
    const { entry } = await this.compiled.get(entryFromRoot)!;
    const child = spawn(process.execPath, [entry, JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.live.add(child);
    let out = '';
    const waiters = new Set<() => void>();
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      for (const check of [...waiters]) check();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const exited = new Promise<void>((done) =>
      child.on('exit', () => {
        this.live.delete(child);
        done();
        for (const check of [...waiters]) check();
      }),
    );
    return {
      output: () => out,
      signal: (signal) => child.kill(signal),
      printed: (text, timeoutMs = 60_000) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            waiters.delete(check);
            reject(new Error(`the child did not print "${text}" within ${timeoutMs} ms:\n${out}`));
          }, timeoutMs);
          const check = () => {
            if (out.includes(text)) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve();
            } else if (child.exitCode !== null || child.signalCode !== null) {
              waiters.delete(check);
              clearTimeout(timer);
              reject(new Error(`the child exited before printing "${text}":\n${out}`));
            }
          };
          waiters.add(check);
          check();
        }),
      kill: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      },
    };
  }

  async removeAll(): Promise<void> {
    for (const child of this.live) child.kill('SIGKILL');
    for (const compiled of this.compiled.values()) (await compiled).remove();
    this.compiled.clear();
  }
}
