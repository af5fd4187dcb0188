// Lists the names lib/index.ts exports whose declaration has no doc comment (`/** ... */`), one
// per line with its file; exits 1 when there is any. Every public name says what it is for.
import ts from 'typescript';

const file = process.argv[2] ?? 'lib/index.ts';
const program = ts.createProgram([file], {
  experimentalDecorators: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
});
const checker = program.getTypeChecker();
const names = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)));
const missing = [];
for (const s of names) {
  const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
  const decl = target.declarations?.[0];
  if (!decl) {
    missing.push(`${s.name} (no declaration found)`);
    continue;
  }
  // The statement that holds the declaration (a const's comment sits on its variable statement).
  let node = decl;
  while (node.parent && !ts.isSourceFile(node.parent)) node = node.parent;
  const text = node.getSourceFile().getFullText();
  const comments = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
  if (!comments.some((c) => text.startsWith('/**', c.pos))) {
    missing.push(`${s.name} ${node.getSourceFile().fileName.replace(`${process.cwd()}/`, '')}`);
  }
}
for (const line of missing) console.log(line);
process.exitCode = missing.length ? 1 : 0;
