import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { workerScript } from '../../src/extract/worker-pool.js';
import { freshDistSkip } from '../helpers/build.js';
import { repoRoot } from '../helpers/data.js';

test('workerScript prefers the one-file bundle beside a compiled script only while it is not older', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-worker-script-'));
  try {
    const base = pathToFileURL(join(dir, 'extract.js')).href;
    const script = join(dir, 'worker.js');
    const bundle = join(dir, 'worker.bundle.js');
    writeFileSync(script, '');
    assert.deepEqual(workerScript(base, './worker'), { url: pathToFileURL(script) });
    writeFileSync(bundle, '');
    utimesSync(script, 1000, 1000);
    utimesSync(bundle, 2000, 2000);
    assert.deepEqual(workerScript(base, './worker'), { url: pathToFileURL(bundle) });
    utimesSync(script, 3000, 3000); // a tsc-only rebuild: the bundle is stale
    assert.deepEqual(workerScript(base, './worker'), { url: pathToFileURL(script) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the build bundles every worker-thread script of dist/', { skip: freshDistSkip() }, () => {
  for (const stem of ['extract/worker', 'infer/predict-worker', 'serve/worker', 'data/derive-worker']) {
    const base = pathToFileURL(join(repoRoot, 'dist', `${stem}.js`)).href;
    const name = stem.split('/')[1];
    assert.deepEqual(workerScript(base, `./${name}`), {
      url: pathToFileURL(join(repoRoot, 'dist', `${stem}.bundle.js`)),
    });
  }
});
