// src/dsp is the bottom signal layer: it may load only its own modules, src/util and a few
// third-party packages, never audio/, features/ or anything above them.
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/data.js';
import { isNodeBuiltin, runtimeImports } from '../helpers/module-graph.js';

const src = join(repoRoot, 'src');
const dspDir = join(src, 'dsp');
const allowed = [dspDir, join(src, 'util')];
/** Packages dsp may load: fft.js (float64 FFT). PFFFT's wasm arrives as bytes, not as an import. */
const PACKAGES = new Set(['fft.js']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) return sourceFiles(full);
      return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : [];
    });
}

test('the import scanner counts run-time imports and skips type-only ones', () => {
  const probe = join(repoRoot, 'test', 'dsp', 'fixtures', 'import-probe.ts.txt');
  assert.deepEqual(
    runtimeImports(probe).map((i) => i.specifier),
    ['./a.js', './b.js', 'node:fs', './d.js', './e.js', 'node:path', 'os'],
  );
});

test('src/dsp imports only src/dsp, src/util, fft.js and (in *-node.ts loaders) Node built-ins', () => {
  const files = sourceFiles(dspDir);
  assert.ok(files.length >= 10, `found only ${files.length} dsp modules`);
  const offenders: string[] = [];
  for (const file of files) {
    const nodeLoader = file.endsWith('-node.ts');
    for (const dep of runtimeImports(file)) {
      const where = `${relative(repoRoot, file)} imports ${dep.specifier}`;
      if (dep.file !== null) {
        if (!allowed.some((dir) => dep.file!.startsWith(`${dir}/`))) offenders.push(where);
      } else if (isNodeBuiltin(dep.specifier)) {
        if (!nodeLoader) offenders.push(where);
      } else if (!PACKAGES.has(dep.specifier) && !(nodeLoader && dep.specifier.startsWith('@echogarden/'))) {
        offenders.push(where);
      }
    }
  }
  assert.deepEqual(offenders, []);
});
