import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the public API (lib/index.ts)', () => {
  it('documents every exported name where it is declared', () => {
    // The script prints each undocumented name with its file, and exits 1 when there is any.
    let undocumented = '';
    try {
      execFileSync(process.execPath, ['scripts/undocumented-exports.mjs'], { encoding: 'utf8' });
    } catch (error) {
      undocumented = (error as { stdout: string }).stdout;
    }
    expect(undocumented).toBe('');
  }, 60_000);
});
