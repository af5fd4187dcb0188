// counts names exported by lib/index.ts (values and types) with the TypeScript checker
import ts from 'typescript';
const file = process.argv[2] ?? 'lib/index.ts';
const program = ts.createProgram([file], {
  experimentalDecorators: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
});
const checker = program.getTypeChecker();
const sym = checker.getSymbolAtLocation(program.getSourceFile(file));
const names = checker.getExportsOfModule(sym);
let values = 0,
  types = 0;
for (const s of names) {
  const r = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
  if (r.flags & ts.SymbolFlags.Value) values++;
  else types++;
}
console.log(`exported names ${names.length} (values ${values}, types only ${types})`);
