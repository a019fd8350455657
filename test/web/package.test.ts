// What `npm pack` ships for the page: `emovox serve` serves dist/web/, so a built page travels in
// the package with everything it loads (runtime wasm, models, service worker), and `prepack`
// builds it; source maps (they point at src/, which is not shipped) and test artefacts do not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/data.js';

test('npm pack: the built page and what it loads, no source maps, no test artefacts; prepack builds the page', (t) => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  assert.match(pkg.scripts.prepack ?? '', /npm run build && npm run build:web/);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const [pack] = JSON.parse(r.stdout) as { size: number; unpackedSize: number; files: { path: string }[] }[];
  const paths = pack.files.map((f) => f.path);
  assert.deepEqual(
    paths.filter((p) => p.endsWith('.map')),
    [],
    'source maps',
  );
  assert.deepEqual(
    paths.filter((p) => /^(test|test-artifacts|bench|web|src|reference|runs)\//.test(p)),
    [],
    'sources, tests and artefacts',
  );
  if (!existsSync(join(repoRoot, 'dist', 'web', 'index.html'))) {
    t.diagnostic('dist/web is not built here: the page files are not checked');
    return;
  }
  for (const file of [
    'dist/web/index.html',
    'dist/web/app.js',
    'dist/web/engine-worker.js',
    'dist/web/sw.js',
    'dist/web/ort/ort-wasm-simd-threaded.wasm',
    'dist/web/pffft.wasm',
    'dist/web/models/emovox-acted7/model.onnx',
    'dist/web/vad/silero_vad_v5.onnx',
    'dist/web/THIRD-PARTY-NOTICES.txt',
  ])
    assert.ok(paths.includes(file), `${file} is in the package`);
  t.diagnostic(
    `package: ${(pack.size / 2 ** 20).toFixed(2)} MiB packed, ${(pack.unpackedSize / 2 ** 20).toFixed(2)} MiB unpacked, ${paths.length} files`,
  );
});
