// Static import analysis for the dsp layering and browser-safety tests: which modules a source
// file loads at run time (type-only imports, including `import { type A }`, are erased by
// TypeScript here, which does not use verbatimModuleSyntax) and what its module top level touches.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

/** One run-time dependency of a file: the specifier as written and, for relative ones, the file. */
export interface RuntimeImport {
  readonly specifier: string;
  /** Absolute path of the TypeScript source for a relative specifier, else null. */
  readonly file: string | null;
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
}

function onlyTypes(elements: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>): boolean {
  return elements.length > 0 && elements.every((e) => e.isTypeOnly);
}

/** True when an import declaration is erased at compile time (`import type`, or only type specifiers). */
function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (clause === undefined) return false; // side-effect import
  if (clause.isTypeOnly) return true;
  if (clause.name !== undefined) return false;
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && onlyTypes(bindings.elements);
}

function isTypeOnlyExport(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return clause !== undefined && ts.isNamedExports(clause) && onlyTypes(clause.elements);
}

/** `'./x.js'` from `file` to the .ts source it means (or the path itself when nothing matches). */
export function resolveSource(file: string, specifier: string): string {
  const target = resolve(dirname(file), specifier);
  for (const candidate of [
    target.replace(/\.js$/, '.ts'),
    `${target}.ts`,
    resolve(target, 'index.ts'),
    target,
  ]) {
    if (existsSync(candidate) && candidate.endsWith('.ts')) return candidate;
  }
  return target;
}

/**
 * Every module `file` loads at run time: static imports and re-exports that are not type-only,
 * side-effect imports, dynamic `import('...')` with a literal specifier and `require('...')`.
 */
export function runtimeImports(file: string): RuntimeImport[] {
  const out: RuntimeImport[] = [];
  const add = (specifier: string) =>
    out.push({ specifier, file: specifier.startsWith('.') ? resolveSource(file, specifier) : null });
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!isTypeOnlyImport(node)) add(node.moduleSpecifier.text);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      if (!isTypeOnlyExport(node)) add(node.moduleSpecifier.text);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      !node.isTypeOnly &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      add(node.moduleReference.expression.text);
    } else if (
      ts.isCallExpression(node) &&
      node.arguments.length >= 1 &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if (isImport || isRequire) add(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(parse(file));
  return out;
}

/** The files reachable from `entries` through relative run-time imports (entries included). */
export function reachableFiles(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const stack = [...entries];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const dep of runtimeImports(file)) if (dep.file !== null) stack.push(dep.file);
  }
  return [...seen].sort();
}

const builtins = new Set(builtinModules);

/** True for `node:x` and for bare names of Node built-ins (`fs`, `path/posix`). */
export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtins.has(specifier) || builtins.has(specifier.split('/')[0]);
}

/** A place in a file, `path:line`, with what was found there. */
export interface Finding {
  readonly at: string;
  readonly what: string;
}

/**
 * Uses of the identifier `process` that run when the module is evaluated: anywhere outside a
 * function body (top-level statements, variable initialisers, class static members and
 * property initialisers, decorators).
 */
export function topLevelProcessUses(file: string): Finding[] {
  const source = parse(file);
  const out: Finding[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && !ts.isClassStaticBlockDeclaration(node)) {
      // a function body runs only when called; its parameter defaults likewise
      return;
    }
    if (ts.isIdentifier(node) && node.text === 'process') {
      const parent = node.parent;
      // `{ process: 1 }` keys and `x.process` members are not the global
      const isKey = ts.isPropertyAssignment(parent) && parent.name === node;
      const isMember = ts.isPropertyAccessExpression(parent) && parent.name === node;
      if (!isKey && !isMember) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        out.push({ at: `${file}:${line + 1}`, what: parent.getText().slice(0, 80) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}
