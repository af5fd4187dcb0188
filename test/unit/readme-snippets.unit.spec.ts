import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { markers, render } from '../../docs/snippets.mjs';
import { examples } from '../../docs/snippets/testing.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README code', () => {
  it('takes every TypeScript block from a file that compiles with the repository', () => {
    const tsBlocks = readme.match(/^```ts$/gm) ?? [];
    expect(tsBlocks.length).toBeGreaterThan(5);
    expect(markers(readme)).toHaveLength(tsBlocks.length);
  });

  it('is in sync with those files (run `node docs/snippets.mjs` after changing them)', () => {
    expect(render(readme)).toBe(readme);
  });

  it('runs: the testing-kit examples pass as written', async () => {
    await expect(examples()).resolves.toBeDefined();
  });
});
