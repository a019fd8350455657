// Static walk of runtime imports (type-only imports and exports vanish at run time), for tests
// that check which modules an entry point loads.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { repoRoot } from './data.js';

/**
 * Module specifiers that `source` loads at run time: static imports and re-exports (also
 * side-effect-only ones), `import x = require()`, `import(...)` and `require(...)` calls.
 * `import type` / `export type` declarations are skipped; `import { type A }` counts as a runtime
 * import (under verbatimModuleSyntax it stays as `import {} from`), and a call with a computed
 * specifier is returned as `<computed>` so that no edge goes unseen.
 */
export function runtimeImports(source: string): string[] {
  const file = ts.createSourceFile('module.ts', source, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const literal = (node: ts.Node | undefined): string =>
    node && ts.isStringLiteralLike(node) ? node.text : '<computed>';
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      if (!node.importClause?.isTypeOnly) out.push(literal(node.moduleSpecifier));
    } else if (ts.isExportDeclaration(node)) {
      if (!node.isTypeOnly && node.moduleSpecifier) out.push(literal(node.moduleSpecifier));
    } else if (ts.isImportEqualsDeclaration(node)) {
      if (!node.isTypeOnly && ts.isExternalModuleReference(node.moduleReference))
        out.push(literal(node.moduleReference.expression));
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    ) {
      out.push(literal(node.arguments[0]));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/**
 * Every repository file reachable through relative runtime imports from `entry`
 * (repository-relative paths, sorted). Fails on a computed specifier or a missing target.
 */
export function reachable(entry: string, root = repoRoot): string[] {
  const seen = new Set<string>();
  const stack = [join(root, entry)];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of runtimeImports(readFileSync(file, 'utf8'))) {
      assert.notEqual(spec, '<computed>', `${relative(root, file)}: import with a computed specifier`);
      if (!spec.startsWith('.')) continue; // packages and node: built-ins
      const target = join(dirname(file), spec.replace(/\.js$/, '.ts'));
      assert.ok(existsSync(target), `${relative(root, file)} imports ${spec}, not found`);
      stack.push(target);
    }
  }
  return [...seen].map((f) => relative(root, f)).sort();
}
