// features/ is pure maths plus the set registry; extract/ is the Node-only pipeline above it.
// This test fails when a features module imports the pipeline or a Node built-in.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';
import { repoRoot } from '../helpers/data.js';

const featuresDir = join(repoRoot, 'src', 'features');
const extractDir = join(repoRoot, 'src', 'extract');

/**
 * Features modules allowed to import a Node built-in: none since PFFFT moved to dsp/ (wasm as
 * bytes, Node loader in dsp/pffft-node.ts) and toPng to extract/png.ts. No file may join this list.
 */
const PENDING_NODE_IMPORTS: ReadonlySet<string> = new Set<string>();

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (name.endsWith('.ts') && !name.endsWith('.as.ts') && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** Every module specifier a file imports, re-exports, or imports dynamically / with require. */
export function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function isNodeBuiltin(specifier: string): boolean {
  return (
    specifier.startsWith('node:') || nodeBuiltins.has(specifier.split('/')[0]) || nodeBuiltins.has(specifier)
  );
}

describe('layering: features/ is Node-free and below extract/', () => {
  const files = sourceFiles(featuresDir);

  test('the import scanner sees static, re-export, dynamic and require imports', () => {
    const probe = ts.preProcessFile(
      "import a from 'node:fs'; export * from './x.js'; const b = await import('node:path'); require('os');",
      true,
      true,
    );
    assert.deepEqual(
      probe.importedFiles.map((f) => f.fileName),
      ['node:fs', './x.js', 'node:path', 'os'],
    );
    assert.ok(files.length > 10, `found only ${files.length} features modules`);
  });

  test('no features module imports src/extract', () => {
    const offenders: string[] = [];
    for (const file of files) {
      for (const specifier of importsOf(file)) {
        if (!specifier.startsWith('.')) continue;
        const target = resolve(dirname(file), specifier);
        if (target === extractDir || target.startsWith(`${extractDir}/`)) {
          offenders.push(`${relative(repoRoot, file)} imports ${specifier}`);
        }
      }
    }
    assert.deepEqual(offenders, []);
  });

  test('no features module imports a Node built-in (except the pending DSP modules)', () => {
    const offenders: string[] = [];
    for (const file of files) {
      const name = relative(featuresDir, file);
      if (PENDING_NODE_IMPORTS.has(name)) continue;
      for (const specifier of importsOf(file)) {
        if (isNodeBuiltin(specifier)) offenders.push(`${relative(repoRoot, file)} imports ${specifier}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  test('the set registry (sets.ts) and FeatureValue (value.ts) are Node-free', () => {
    for (const name of ['sets.ts', 'value.ts']) {
      const specifiers = importsOf(join(featuresDir, name));
      assert.deepEqual(
        specifiers.filter((s) => isNodeBuiltin(s) || s.includes('/extract/')),
        [],
        name,
      );
    }
  });

  test('the pipeline modules live in src/extract, not src/features', () => {
    for (const name of [
      'cache.ts',
      'npy.ts',
      'extract.ts',
      'extract-files.ts',
      'extract-output.ts',
      'worker.ts',
      'worker-pool.ts',
    ]) {
      assert.ok(statSync(join(extractDir, name)).isFile(), `src/extract/${name}`);
      assert.throws(() => statSync(join(featuresDir, name)), `src/features/${name} still exists`);
    }
  });
});
