// Lists the functions and methods of lib/ longer than a limit (default 50 lines), with the
// TypeScript compiler API: `node scripts/long-functions.mjs [limit] [dir]`. A function that stays
// long on purpose says why in a comment right above it starting with "Long:"; those are listed
// apart and counted as explained.
import ts from 'typescript';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const limit = Number(process.argv[2] ?? 50);
const root = process.argv[3] ?? 'lib';

function* files(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) yield path;
  }
}

function nameOf(node) {
  if (node.name) return node.name.getText();
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (
    parent &&
    (ts.isVariableDeclaration(parent) ||
      ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent))
  ) {
    return parent.name.getText();
  }
  if (parent && ts.isCallExpression(parent))
    return `(callback of ${parent.expression.getText().slice(0, 40)})`;
  return '(anonymous)';
}

/** Whether a comment just above the function (or its statement) starts with "Long:". */
function explained(node, text) {
  let holder = node;
  while (
    holder.parent &&
    !ts.isSourceFile(holder.parent) &&
    !ts.isClassLike(holder.parent) &&
    !ts.isBlock(holder.parent) &&
    !ts.isObjectLiteralExpression(holder.parent)
  ) {
    holder = holder.parent;
  }
  const ranges = ts.getLeadingCommentRanges(text, holder.getFullStart()) ?? [];
  return ranges.some((r) =>
    /^\/[/*]+\s*Long:/m.test(text.slice(r.pos, r.end).replace(/^\s*\*\s*/gm, '')),
  );
}

const long = [];
for (const file of files(root)) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > limit) {
        long.push({
          file: relative('.', file),
          line: start + 1,
          name: nameOf(node),
          lines,
          why: explained(node, text),
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
long.sort((a, b) => b.lines - a.lines);
for (const f of long) {
  console.log(
    `${String(f.lines).padStart(4)}  ${f.file}:${f.line}  ${f.name}${f.why ? '  (explained)' : ''}`,
  );
}
const unexplained = long.filter((f) => !f.why).length;
console.log(
  `functions over ${limit} lines: ${long.length} (${long.length - unexplained} explained, ${unexplained} not)`,
);
