import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { markers, region, render } from '../../docs/snippets.mjs';
import { examples, projectionExample } from '../../docs/snippets/testing.js';

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

  it('runs: a projection test on the in-memory SQLite testing module needs no server', async () => {
    await expect(projectionExample()).resolves.toEqual({ id: '42', total: 10, status: 'placed' });
  });

  it('shows the import line of every decorator and class a block uses', () => {
    for (const marker of markers(readme)) {
      const [file, name] = marker.split('#');
      const block = region(file, name);
      const source = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
      const code = block
        .replace(/^import [\s\S]*?;$/gm, '')
        .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''); // comments may name other things
      const used = [...code.matchAll(/(?:@|new |extends |implements )([A-Z]\w+)/g)].map(
        (m) => m[1],
      );
      for (const identifier of new Set(used)) {
        const declaredHere = new RegExp(`^export (class|function|const) ${identifier}\\b`, 'm');
        if (declaredHere.test(source) || identifier in globalThis) continue;
        expect(block, `${marker} uses ${identifier}`).toMatch(
          new RegExp(`^import [^;]*\\b${identifier}\\b[^;]*;$`, 'm'),
        );
      }
    }
  });
});
