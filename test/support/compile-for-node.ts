import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformFile } from '@swc/core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Compiles a TypeScript entry (a child process of a crash test) and every file it imports by
 * relative path into a temp dir that plain `node` can run: SWC with decorator metadata, a package
 * of type module, node_modules linked to the project's. Returns the entry's .js path and a cleanup.
 */
export async function compileForNode(
  entryFromRoot: string,
): Promise<{ entry: string; remove(): void }> {
  const out = mkdtempSync(join(tmpdir(), 'child-'));
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }');
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
  const pending = [join(ROOT, entryFromRoot)];
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
  return {
    entry: join(out, entryFromRoot.replace(/\.ts$/, '.js')),
    remove: () => rmSync(out, { recursive: true, force: true }),
  };
}
