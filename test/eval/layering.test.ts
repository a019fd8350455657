import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every src/ file reachable through relative imports from `entry`, and every bare import seen. */
function reachable(entry: string): { files: string[]; packages: Set<string> } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const stack = [resolve(root, entry)];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    // Static imports, re-exports, dynamic import() and require(), type-only ones included.
    for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles) {
      if (spec.startsWith('.')) stack.push(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec);
    }
  }
  return { files: [...seen].map((f) => relative(root, f)).sort(), packages };
}

test('eval works from predictions only: no engine, models, train, data, report; no Node modules', () => {
  const { files, packages } = reachable('src/eval/index.ts');
  assert.ok(files.includes('src/eval/calibration.ts'), 'sanity: the walk follows imports');
  assert.deepEqual(
    files.filter((f) => !f.startsWith('src/eval/') && !f.startsWith('src/util/errors')),
    [],
  );
  assert.deepEqual([...packages], []);
});

test('report imports only eval, util and the plotting stack', () => {
  const { files, packages } = reachable('src/report/index.ts');
  assert.deepEqual(
    files.filter((f) => !/^src\/(report|eval|util)\//.test(f)),
    [],
  );
  assert.deepEqual([...packages].filter((p) => !p.startsWith('node:')).sort(), [
    '@resvg/resvg-js',
    'vega',
    'vega-lite',
  ]);
});
