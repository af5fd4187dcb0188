// Keeps README.md's code blocks equal to regions of files that compile in this repository.
// A block follows a marker `<!-- snippet: path/to/file.ts#region -->`; the region is the text
// between `// #region name` and `// #endregion name` in that file, preceded by the file's import
// lines narrowed to the names the region uses, so every block shows where its names come from.
//   node docs/snippets.mjs          rewrites README.md from the files
//   node docs/snippets.mjs --check  exits 1 when a block differs (the unit tests run this check)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The block ends at the first line that is exactly ``` (an empty block works too).
const MARKER = /<!-- snippet: ([^#\s]+)#([\w-]+) -->\n```(\w+)\n[\s\S]*?^```$/gm;

export function region(file, name) {
  const text = readFileSync(join(root, file), 'utf8');
  const match = new RegExp(`// #region ${name}\\n([\\s\\S]*?)\\n\\s*// #endregion ${name}`).exec(
    text,
  );
  if (!match) throw new Error(`${file} has no region "${name}"`);
  const lines = match[1].split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)[0].length));
  const body = lines.map((l) => l.slice(indent)).join('\n');
  const imports = importsUsedBy(text, body);
  return imports ? `${imports}\n\n${body}` : body;
}

const IMPORT = /^import\s+(type\s+)?([\s\S]*?)\s+from\s+'([^']+)';$/gm;

/** The file's import declarations, keeping only the names `body` uses (`import type` kept). */
export function importsUsedBy(text, body) {
  const uses = (name) => new RegExp(`(?<![\\w.$])${name.replace('$', '\\$')}(?![\\w$])`).test(body);
  const out = [];
  for (const [, typeOnly = '', clause, from] of text.matchAll(IMPORT)) {
    const named = /\{([\s\S]*)\}/.exec(clause);
    const defaultName = clause
      .replace(/\{[\s\S]*\}/, '')
      .replace(/,\s*$/, '')
      .trim();
    const specifiers = (named?.[1] ?? '')
      .split(',')
      .map((spec) => spec.trim())
      .filter((spec) => spec && uses(spec.split(/\s+/).at(-1)));
    const keepDefault = defaultName && uses(defaultName.replace(/^\*\s+as\s+/, ''));
    if (!keepDefault && specifiers.length === 0) continue;
    const parts = [
      keepDefault ? defaultName : '',
      specifiers.length ? `{ ${specifiers.join(', ')} }` : '',
    ]
      .filter(Boolean)
      .join(', ');
    let line = `import ${typeOnly}${parts} from '${from}';`;
    if (line.length > 100 && specifiers.length) {
      const head = keepDefault ? `${defaultName}, ` : '';
      line = `import ${typeOnly}${head}{\n${specifiers.map((s) => `  ${s},`).join('\n')}\n} from '${from}';`;
    }
    out.push(line);
  }
  return out.join('\n');
}

export function render(readme) {
  return readme.replace(
    MARKER,
    (_all, file, name, lang) =>
      `<!-- snippet: ${file}#${name} -->\n\`\`\`${lang}\n${region(file, name)}\n\`\`\``,
  );
}

export function markers(readme) {
  return [...readme.matchAll(MARKER)].map((m) => `${m[1]}#${m[2]}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = join(root, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const rendered = render(readme);
  if (process.argv.includes('--check')) {
    if (rendered !== readme) {
      console.error(
        'README.md code blocks differ from their source files; run: node docs/snippets.mjs',
      );
      process.exit(1);
    }
  } else {
    writeFileSync(path, rendered);
  }
}
