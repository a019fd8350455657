// The bundled model travels inside the npm package, and stays small.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../helpers/data.js';

test('npm pack ships models/emovox-acted7 (bundle, ONNX, model card), a few MB at most', () => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const [pack] = JSON.parse(r.stdout) as { files: { path: string; size: number }[] }[];
  const model = pack.files.filter((f) => f.path.startsWith('models/emovox-acted7/'));
  assert.deepEqual(
    model.map((f) => f.path).sort(),
    ['MODEL_CARD.md', 'model.json', 'model.onnx', 'weights.bin'].map((f) => `models/emovox-acted7/${f}`),
  );
  const bytes = model.reduce((n, f) => n + f.size, 0);
  assert.ok(bytes < 4 * 2 ** 20, `the bundled model takes ${bytes} bytes`);
  assert.ok(!pack.files.some((f) => f.path.startsWith('runs/') || f.path.startsWith('examples/')));
});
