// Self-tests of the import scanner behind the layering and engine-free tests: a scanner that
// missed an import kind would let every layering rule pass vacuously.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/data.js';
import {
  isNodeBuiltin,
  packageName,
  reachable,
  runtimeImports,
  runtimeSpecifiers,
  scanImports,
  topLevelProcessUses,
} from '../helpers/module-graph.js';

test('the scanner skips erased imports and sees every run-time kind', () => {
  for (const code of [
    "import type { Tensor } from '../engine/index.js';",
    "import { type Tensor } from '../engine/index.js';",
    "import { type Tensor, type Scope } from '../engine/index.js';",
    "export type { Nn } from '../layers/nn.js';",
    "export { type Nn } from '../layers/nn.js';",
    'type T = typeof import("../engine/index.js");',
    '// import { ops } from "../engine/index.js"',
  ]) {
    assert.deepEqual(runtimeSpecifiers(code), [], code);
  }
  for (const code of [
    "import { ops } from '../engine/index.js';",
    "import * as engine from '../engine/index.js';",
    "import { type Tensor, ops } from '../engine/index.js';",
    "import engine, { type Tensor } from '../engine/index.js';",
    "import '../engine/index.js';",
    "export { ops } from '../engine/index.js';",
    "export * from '../engine/index.js';",
    "const m = await import('../engine/index.js');",
    "const m = require('../engine/index.js');",
    "import engine = require('../engine/index.js');",
  ]) {
    assert.deepEqual(runtimeSpecifiers(code), ['../engine/index.js'], code);
  }
  assert.deepEqual(runtimeSpecifiers('await import(name);'), ['<computed>']);
  assert.deepEqual(scanImports("import type { A } from './a.js';"), [
    { specifier: './a.js', typeOnly: true },
  ]);
});

test('the scanner reads a file in source order and resolves relative imports', () => {
  const probe = readFileSync(join(repoRoot, 'test/architecture/fixtures/import-probe.ts.txt'), 'utf8');
  assert.deepEqual(runtimeSpecifiers(probe), [
    './a.js',
    './b.js',
    'node:fs',
    './d.js',
    './e.js',
    'node:path',
    'os',
  ]);
  assert.deepEqual(
    runtimeImports('src/index.ts').find((i) => i.specifier === './dsp/pffft-node.js'),
    { specifier: './dsp/pffft-node.js', file: 'src/dsp/pffft-node.ts' },
  );
});

test('the walk follows run-time imports (it reaches the engine from buildModel)', () => {
  const files = reachable('src/models/zoo.ts');
  assert.ok(files.includes('src/engine/index.ts'));
  assert.ok(files.includes('src/models/layers/nn.ts'));
  assert.ok(reachable('src/dsp/pffft-node.ts').includes('src/dsp/pffft.ts'));
});

test('built-ins, package names and top-level process uses', () => {
  assert.ok(isNodeBuiltin('node:fs') && isNodeBuiltin('fs') && isNodeBuiltin('path/posix'));
  assert.ok(!isNodeBuiltin('fft.js') && !isNodeBuiltin('pngjs'));
  assert.equal(packageName('csv-parse/sync'), 'csv-parse');
  assert.equal(packageName('@wasm-audio-decoders/flac'), '@wasm-audio-decoders/flac');
  assert.equal(packageName('fft.js'), 'fft.js');
  assert.deepEqual(
    topLevelProcessUses('test/architecture/fixtures/process-probe.ts.txt').map((f) =>
      Number(f.at.split(':').pop()),
    ),
    [2, 3, 5], // the top-level const, the object literal, the static field; not the function bodies
  );
});
