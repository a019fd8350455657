// dsp/ and features/ must load in a browser: nothing reachable from their entry modules may
// import a Node built-in, a Node-only package, or touch `process` while the module is evaluated.
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/data.js';
import {
  isNodeBuiltin,
  reachableFiles,
  runtimeImports,
  topLevelProcessUses,
} from '../helpers/module-graph.js';

const ENTRIES = ['src/dsp/index.ts', 'src/features/index.ts'].map((p) => join(repoRoot, p));
/** Third-party packages the browser-safe graph may load (each works in browsers). */
const BROWSER_PACKAGES = new Set(['fft.js']);

const files = reachableFiles(ENTRIES);
const rel = (file: string) => relative(repoRoot, file);

test('the walk covers the dsp and features modules', () => {
  const names = files.map(rel);
  for (const must of ['src/dsp/pffft.ts', 'src/dsp/stft.ts', 'src/features/mel.ts', 'src/features/chroma.ts'])
    assert.ok(names.includes(must), `${must} not reached`);
  assert.ok(
    !names.includes('src/dsp/pffft-node.ts'),
    'the Node PFFFT loader must stay out of the browser graph',
  );
});

test('no module reachable from dsp/ or features/ imports a Node built-in or a Node-only package', () => {
  const offenders: string[] = [];
  for (const file of files) {
    for (const dep of runtimeImports(file)) {
      if (dep.file !== null) continue;
      if (isNodeBuiltin(dep.specifier) || !BROWSER_PACKAGES.has(dep.specifier))
        offenders.push(`${rel(file)} imports ${dep.specifier}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('no module reachable from dsp/ or features/ uses `process` at module top level', () => {
  const offenders = files.flatMap((file) =>
    topLevelProcessUses(file).map((f) => `${relative(repoRoot, f.at)}: ${f.what}`),
  );
  assert.deepEqual(offenders, []);
});

test('the scanners catch what they are for', () => {
  const probe = join(repoRoot, 'test', 'dsp', 'fixtures', 'process-probe.ts.txt');
  assert.deepEqual(
    topLevelProcessUses(probe).map((f) => Number(f.at.split(':').pop())),
    [2, 3, 5], // the top-level const, the object literal, the static field; not the function bodies
  );
  assert.ok(isNodeBuiltin('node:fs') && isNodeBuiltin('fs') && isNodeBuiltin('path/posix'));
  assert.ok(!isNodeBuiltin('fft.js') && !isNodeBuiltin('pngjs'));
});
