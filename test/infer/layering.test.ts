// Inference layering: the pure modules (reused by the browser page) load no Node API and no
// onnxruntime-node; nothing on the inference path or in predict/listen/models loads the libtorch
// engine, the training code or the engine-backed layers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { repoRoot } from '../helpers/data.js';
import { reachable, runtimeImports } from '../helpers/imports.js';

/** The modules of src/infer meant for the browser too. */
const PURE = [
  'src/infer/frontend.ts',
  'src/infer/scores.ts',
  'src/infer/smoothing.ts',
  'src/infer/vad.ts',
  'src/infer/stream.ts',
  'src/infer/stream-resampler.ts',
  'src/infer/timeline-core.ts',
  'src/infer/pcm-stream.ts',
];

/**
 * Files of other layers that a pure module reaches and that still touch Node today: the PFFFT
 * wasm loader reads its .wasm with node:fs and the PNG writer of log-mel images uses pngjs.
 * Their owners give them browser variants with the web page (next issue); everything else must
 * stay Node-free.
 */
const KNOWN_NODE = new Set(['src/features/pffft.ts', 'src/features/image.ts']);

/** Files reachable from `entry` without walking through the known Node files, and their package imports. */
function walk(entry: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const stack = [entry];
  while (stack.length) {
    const file = stack.pop()!;
    if (out.has(file) || KNOWN_NODE.has(file)) continue;
    const specs = runtimeImports(readFileSync(join(repoRoot, file), 'utf8'));
    out.set(
      file,
      specs.filter((s) => !s.startsWith('.')),
    );
    for (const s of specs.filter((x) => x.startsWith('.')))
      stack.push(normalize(join(dirname(file), s.replace(/\.js$/, '.ts'))));
  }
  return out;
}

for (const entry of PURE) {
  test(`${entry} loads no Node API and no onnxruntime (directly or through other modules)`, () => {
    for (const [file, packages] of walk(entry)) {
      const bad = packages.filter(
        (s) =>
          s.startsWith('node:') ||
          s === 'onnxruntime-node' ||
          /^(fs|path|os|child_process|worker_threads)$/.test(s),
      );
      assert.deepEqual(bad, [], `${file} (reached from ${entry})`);
    }
  });
}

test('the inference path and the predict/listen/models commands never load training, engine or engine-backed layers', () => {
  for (const entry of [
    'src/infer/index.ts',
    'src/infer/batch.ts',
    'src/infer/predict-worker.ts',
    'src/cli/commands/predict.ts',
    'src/cli/commands/listen.ts',
    'src/cli/commands/models.ts',
  ]) {
    const files = reachable(entry);
    assert.ok(
      files.includes('src/infer/frontend.ts') || entry.endsWith('models.ts'),
      `${entry} walk reaches the front end`,
    );
    const bad = files.filter(
      (f) =>
        f.startsWith('src/engine/') ||
        f.startsWith('src/train/') ||
        f.startsWith('src/models/layers/') ||
        f === 'src/models/zoo.ts' ||
        f.startsWith('src/report/'),
    );
    assert.deepEqual(bad, [], entry);
  }
});
