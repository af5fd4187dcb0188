import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(ROOT, 'dist/sample-app/src/main.js');

/** The sample app as `npm start` runs it, in a child process the test can SIGKILL. */
export interface SampleAppProcess {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** SIGKILL, no shutdown hook runs; resolves once the process is gone. */
  kill(): Promise<void>;
  /** The last lines it printed, for a failure message. */
  output(): string;
}

/**
 * Compiles lib/ and the sample app into dist/ as `npm start` does (incremental, so quick when
 * nothing changed): a child process must never run a stale build of the code under test.
 */
export async function buildSampleApp(): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    { cwd: ROOT },
  );
  if (!existsSync(MAIN)) {
    throw new Error(`${MAIN} is missing after the build: delete dist/.tsbuildinfo and run again`);
  }
}

const live = new Set<ChildProcess>();

/** Starts `node dist/sample-app/src/main.js` with `env` on a free port; resolves once it listens. */
export async function startSampleApp(env: Record<string, string>): Promise<SampleAppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  void exited.then(() => live.delete(child));
  let printed = '';
  const keep = (chunk: Buffer) => (printed = (printed + chunk.toString()).slice(-8_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const app: SampleAppProcess = {
    url: `http://127.0.0.1:${port}`,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    output: () => printed,
  };
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`sample app not listening after 30 s:\n${printed}`)),
      30_000,
    );
    const check = () => {
      if (!printed.includes('Listening on')) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      ready();
    };
    child.stdout.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error(`sample app exited before listening:\n${printed}`));
    });
  });
  return app;
}

/** SIGKILLs every sample app still running (afterAll, also when a test failed half-way). */
export async function killSampleApps(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGKILL');
        }),
    ),
  );
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}
