// Static import analysis for the layering, engine-free and browser-safety tests: which modules a
// source file loads at run time and what its module top level touches. Paths are
// repository-relative with forward slashes (`src/dsp/fft.ts`).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix, relative } from 'node:path';
import ts from 'typescript';
import { repoRoot } from './data.js';

/** One import written in a file: the specifier (`<computed>` when not a literal) and whether it is erased. */
export interface ImportRef {
  readonly specifier: string;
  /**
   * True when the compiler erases it: `import type`, `export type`, and `import { type A }` /
   * `export { type A }` with only type specifiers (tsconfig has no verbatimModuleSyntax, so tsc
   * and tsx's esbuild both drop those declarations).
   */
  readonly typeOnly: boolean;
}

/** One run-time dependency of a file: the specifier as written and, for a relative one, its file. */
export interface RuntimeImport {
  readonly specifier: string;
  /** Repository-relative path of the TypeScript source a relative specifier names, else null. */
  readonly file: string | null;
}

function onlyTypes(elements: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>): boolean {
  return elements.length > 0 && elements.every((e) => e.isTypeOnly);
}

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

/**
 * Every import in TypeScript `source`: static imports and re-exports (also side-effect-only
 * ones), `import x = require()`, `import(...)` and `require(...)` calls, in source order. A call
 * with a computed specifier yields `<computed>` so that no edge goes unseen; `typeof import('x')`
 * in a type position is not an import.
 */
export function scanImports(source: string): ImportRef[] {
  const file = ts.createSourceFile('module.ts', source, ts.ScriptTarget.Latest, true);
  const out: ImportRef[] = [];
  const literal = (node: ts.Node | undefined): string =>
    node && ts.isStringLiteralLike(node) ? node.text : '<computed>';
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      out.push({ specifier: literal(node.moduleSpecifier), typeOnly: isTypeOnlyImport(node) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      out.push({ specifier: literal(node.moduleSpecifier), typeOnly: isTypeOnlyExport(node) });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      out.push({ specifier: literal(node.moduleReference.expression), typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    ) {
      out.push({ specifier: literal(node.arguments[0]), typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/** The specifiers `source` loads at run time (`scanImports` without the erased ones). */
export function runtimeSpecifiers(source: string): string[] {
  return scanImports(source)
    .filter((i) => !i.typeOnly)
    .map((i) => i.specifier);
}

/**
 * The TypeScript source a relative `specifier` in `file` names (`./x.js` → `x.ts`, a folder →
 * its `index.ts`), repository-relative; fails when none exists.
 */
export function resolveSource(file: string, specifier: string): string {
  const target = posix.normalize(posix.join(posix.dirname(file), specifier));
  const candidates = [target.replace(/\.js$/, '.ts'), `${target}.ts`, `${target}/index.ts`, target];
  const found = candidates.find((c) => c.endsWith('.ts') && existsSync(join(repoRoot, c)));
  assert.ok(found !== undefined, `${file} imports ${specifier}, not found`);
  return found;
}

/** Parsed files (sources do not change while the tests run; the walks revisit files often). */
const parsed = new Map<string, (RuntimeImport & ImportRef)[]>();

/** Every import of the repository file `file`, relative ones resolved; `typeOnly` as in scanImports. */
export function importsOf(file: string): (RuntimeImport & ImportRef)[] {
  let imports = parsed.get(file);
  if (imports === undefined) {
    imports = scanImports(readFileSync(join(repoRoot, file), 'utf8')).map((i) => {
      assert.notEqual(i.specifier, '<computed>', `${file}: import with a computed specifier`);
      return { ...i, file: i.specifier.startsWith('.') ? resolveSource(file, i.specifier) : null };
    });
    parsed.set(file, imports);
  }
  return imports;
}

/** The modules the repository file `file` loads at run time. */
export function runtimeImports(file: string): RuntimeImport[] {
  return importsOf(file)
    .filter((i) => !i.typeOnly)
    .map(({ specifier, file: target }) => ({ specifier, file: target }));
}

/** Every repository file reachable through relative run-time imports from `entries` (included), sorted. */
export function reachable(entries: string | readonly string[]): string[] {
  const seen = new Set<string>();
  const stack = typeof entries === 'string' ? [entries] : [...entries];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const dep of runtimeImports(file)) if (dep.file !== null) stack.push(dep.file);
  }
  return [...seen].sort();
}

/** The TypeScript modules under the repository folder `dir` (no `.d.ts`, no AssemblyScript `.as.ts`), sorted. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir))
    .sort()
    .flatMap((name) => {
      const path = `${dir}/${name}`;
      if (statSync(join(repoRoot, path)).isDirectory()) return sourceFiles(path);
      return name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.as.ts') ? [path] : [];
    });
}

const builtins = new Set(builtinModules);

/** True for `node:x` and for bare names of Node built-ins (`fs`, `path/posix`). */
export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtins.has(specifier) || builtins.has(specifier.split('/')[0]);
}

/** The package a bare specifier names: `@scope/name` or `name` (`csv-parse/sync` → `csv-parse`). */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** A place in a file, `path:line`, with what was found there. */
export interface Finding {
  readonly at: string;
  readonly what: string;
}

/**
 * Uses of the identifier `process` that run when the module is evaluated: anywhere outside a
 * function body (top-level statements, variable initialisers, class static members and
 * property initialisers, decorators). `file` is repository-relative.
 */
export function topLevelProcessUses(file: string): Finding[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(join(repoRoot, file), 'utf8'),
    ts.ScriptTarget.ES2022,
    true,
  );
  const out: Finding[] = [];
  const visit = (node: ts.Node): void => {
    // a function body runs only when called; its parameter defaults likewise
    if (ts.isFunctionLike(node) && !ts.isClassStaticBlockDeclaration(node)) return;
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

/** `path` (absolute) as a repository-relative path with forward slashes. */
export function repoPath(path: string): string {
  return relative(repoRoot, path).split('\\').join('/');
}
