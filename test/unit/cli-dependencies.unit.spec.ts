import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compileForNode } from '../support/compile-for-node.js';

const CLI_ONLY = ['cli-progress', 'cli-table3', 'commander'];

/**
 * The npm packages (CommonJS, so listed in require.cache also when imported) that plain `node`
 * has loaded after importing the compiled `entry`, among the CLI's own dependencies.
 */
async function cliPackagesLoadedBy(entryFromRoot: string): Promise<string[]> {
  const compiled = await compileForNode(entryFromRoot);
  try {
    const script =
      `import 'reflect-metadata'; await import(${JSON.stringify(compiled.entry)});` +
      `const { createRequire } = await import('node:module');` +
      `const loaded = Object.keys(createRequire(import.meta.url).cache);` +
      `const wanted = ${JSON.stringify(CLI_ONLY)};` +
      `console.log(JSON.stringify(wanted.filter((p) => loaded.some((f) => f.includes('/node_modules/' + p + '/')))));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: process.cwd(),
      encoding: 'utf8',
    });
    return JSON.parse(out) as string[];
  } finally {
    compiled.remove();
  }
}

describe("the CLI's dependencies", () => {
  it('are not loaded by an application importing the library', async () => {
    expect(await cliPackagesLoadedBy('lib/index.ts')).toEqual([]);
  }, 60_000);

  it('are loaded by the CLI program (so the check above can fail)', async () => {
    expect(await cliPackagesLoadedBy('lib/cli/cli-program.ts')).toEqual(CLI_ONLY);
  }, 60_000);
});
