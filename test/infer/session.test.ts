import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmotionSession, softmaxRows } from '../../src/infer/session.js';
import { exportOnnx } from '../../src/models/onnx/export.js';
import { readOnnxMetadata } from '../../src/models/onnx/metadata.js';
import { saveBundle } from '../../src/models/bundle.js';
import { initWeights } from '../../src/models/weights.js';
import { EmovoxInputError } from '../../src/util/errors.js';

const config = { kind: 'mlp' as const, inputDim: 6, classes: 3, hidden: [5] };
const labels = ['angry', 'happy', 'sad'];

test('softmaxRows gives rows summing to 1 and is stable for large logits', () => {
  const p = softmaxRows(Float32Array.from([1000, 1001, 1002, 0, 0, 0]), 2, 3);
  assert.ok(Math.abs(p[0] + p[1] + p[2] - 1) < 1e-6);
  assert.ok(p[2] > p[1] && p[1] > p[0]);
  assert.ok(Math.abs(p[3] - 1 / 3) < 1e-6);
});

test('labels and config travel in the ONNX metadata; predict names the top class', async () => {
  const bytes = exportOnnx(config, initWeights(config, 2), { labels });
  const meta = readOnnxMetadata(bytes);
  assert.deepEqual(JSON.parse(meta.labels), labels);
  assert.equal(JSON.parse(meta['emovox.config']).kind, 'mlp');
  const session = await EmotionSession.load(bytes);
  assert.deepEqual(session.labels, labels);
  assert.deepEqual([...session.inputNames], ['features']);
  const data = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i));
  const [run, predictions] = [
    await session.run({ features: { data, shape: [2, 6] } }),
    await session.predict({ features: { data, shape: [2, 6] } }),
  ];
  assert.equal(run.batch, 2);
  assert.equal(predictions.length, 2);
  for (let b = 0; b < 2; b++) {
    const row = Array.from(run.probabilities.subarray(b * 3, b * 3 + 3));
    const best = row.indexOf(Math.max(...row));
    assert.equal(predictions[b].label, labels[best]);
    assert.equal(predictions[b].confidence, row[best]);
  }
  await session.release();
});

test('a saved bundle (directory or .emovox file) loads for inference without libtorch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-infer-'));
  try {
    const weights = initWeights(config, 4);
    const reference = await EmotionSession.load(exportOnnx(config, weights));
    const input = { features: { data: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [1, 6] } };
    const expected = (await reference.run(input)).logits;
    for (const path of [join(dir, 'bundle'), join(dir, 'model.emovox')]) {
      saveBundle(path, { config, weights, labels });
      const session = await EmotionSession.load(path);
      assert.deepEqual(session.labels, labels);
      assert.deepEqual(Array.from((await session.run(input)).logits), Array.from(expected));
    }
    writeFileSync(join(dir, 'm.onnx'), exportOnnx(config, weights, { labels }));
    assert.deepEqual((await EmotionSession.load(join(dir, 'm.onnx'))).labels, labels);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sequence lengths outside [1, frames] are refused before onnxruntime sees them', async () => {
  const c = { kind: 'bilstmAttention' as const, inputDim: 3, classes: 2, hidden: 4, dense: 4 };
  const session = await EmotionSession.load(exportOnnx(c, initWeights(c)));
  const frames = { data: new Float32Array(2 * 5 * 3).fill(0.1), shape: [2, 5, 3] };
  const ok = await session.run({ frames, lengths: { data: Int32Array.from([5, 2]), shape: [2] } });
  assert.equal(ok.batch, 2);
  for (const bad of [
    [0, 2],
    [6, 2],
  ]) {
    await assert.rejects(
      session.run({ frames, lengths: { data: Int32Array.from(bad), shape: [2] } }),
      /lengths must lie in \[1, 5\]/,
    );
  }
  await session.release();
});

test('bad models and bad inputs raise EmovoxInputError', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-infer-'));
  try {
    await assert.rejects(EmotionSession.load(join(dir, 'missing.onnx')), EmovoxInputError);
    writeFileSync(join(dir, 'garbage.onnx'), Buffer.from('not a model at all'));
    await assert.rejects(EmotionSession.load(join(dir, 'garbage.onnx')), EmovoxInputError);
    const bytes = exportOnnx(config, initWeights(config));
    writeFileSync(join(dir, 'cut.onnx'), bytes.subarray(0, bytes.length >> 1));
    await assert.rejects(EmotionSession.load(join(dir, 'cut.onnx')), EmovoxInputError);
    await assert.rejects(EmotionSession.load(new Uint8Array(0)), EmovoxInputError);
    const session = await EmotionSession.load(bytes);
    await assert.rejects(session.run({}), /missing input 'features'/);
    await assert.rejects(
      session.run({ features: { data: new Float32Array(5), shape: [1, 6] } }),
      EmovoxInputError,
    );
    await assert.rejects(
      session.run({ features: { data: new Float32Array(6).fill(NaN), shape: [1, 6] } }),
      /non-finite/,
    );
    await assert.rejects(
      session.run({ features: { data: new Float32Array(7), shape: [1, 7] } }),
      EmovoxInputError,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
