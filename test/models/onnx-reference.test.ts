import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportOnnx } from '../../src/models/onnx/export.js';
import { initWeights, type WeightMap } from '../../src/models/weights.js';
import { EmotionSession } from '../../src/infer/session.js';
import { SeededRandom } from '../../src/models/weights.js';
import { maxAbsDiff } from './golden.js';

// Plain-TypeScript forward passes (no ONNX, no libtorch) to check the exported graphs.

function linear(x: Float32Array, batch: number, w: WeightMap, name: string): Float32Array {
  const W = w.get(`${name}.weight`)!;
  const b = w.get(`${name}.bias`)!;
  const [out, inp] = W.shape;
  const y = new Float32Array(batch * out);
  for (let n = 0; n < batch; n++)
    for (let o = 0; o < out; o++) {
      let s = b.data[o];
      for (let i = 0; i < inp; i++) s += x[n * inp + i] * W.data[o * inp + i];
      y[n * out + o] = s;
    }
  return y;
}

const relu = (x: Float32Array) => x.map((v) => Math.max(0, v));

/** Conv1d(same) + BN(eval) + ReLU + MaxPool(2) on [batch, inCh, len]. */
function convBlock(x: Float32Array, batch: number, inCh: number, len: number, w: WeightMap, i: number) {
  const W = w.get(`convs.${i}.weight`)!;
  const [outCh, , k] = W.shape;
  const bias = w.get(`convs.${i}.bias`)!.data;
  const [gamma, beta, mean, variance] = ['weight', 'bias', 'running_mean', 'running_var'].map(
    (p) => w.get(`bns.${i}.${p}`)!.data,
  );
  const half = (k - 1) / 2;
  const pooled = Math.floor(len / 2);
  const y = new Float32Array(batch * outCh * pooled);
  for (let n = 0; n < batch; n++)
    for (let o = 0; o < outCh; o++) {
      const row = new Float32Array(len);
      for (let t = 0; t < len; t++) {
        let s = bias[o];
        for (let c = 0; c < inCh; c++)
          for (let j = 0; j < k; j++) {
            const tt = t + j - half;
            if (tt >= 0 && tt < len) s += x[(n * inCh + c) * len + tt] * W.data[(o * inCh + c) * k + j];
          }
        row[t] = Math.max(0, ((s - mean[o]) / Math.sqrt(variance[o] + 1e-5)) * gamma[o] + beta[o]);
      }
      for (let t = 0; t < pooled; t++) y[(n * outCh + o) * pooled + t] = Math.max(row[2 * t], row[2 * t + 1]);
    }
  return { y, channels: outCh, len: pooled };
}

function randomise(w: WeightMap, seed: number): WeightMap {
  const rng = new SeededRandom(seed);
  for (const [name, t] of w) {
    if (name.endsWith('running_var')) t.data.forEach((_, i) => (t.data[i] = 0.5 + rng.next()));
    else if (name.includes('bns.'))
      t.data.forEach((_, i) => (t.data[i] = rng.normal() * 0.3 + (name.endsWith('weight') ? 1 : 0)));
  }
  return w;
}

test('mlp ONNX graph matches a plain-TS forward pass', async () => {
  const config = { kind: 'mlp' as const, inputDim: 9, classes: 4, hidden: [7, 5] };
  const w = initWeights(config, 3);
  const batch = 3;
  const rng = new SeededRandom(9);
  const x = Float32Array.from({ length: batch * 9 }, () => rng.normal());
  const expected = linear(
    relu(linear(relu(linear(x, batch, w, 'hidden.0')), batch, w, 'hidden.1')),
    batch,
    w,
    'head',
  );
  const session = await EmotionSession.load(exportOnnx(config, w));
  const out = await session.run({ features: { data: x, shape: [batch, 9] } });
  assert.ok(maxAbsDiff(out.logits, expected) < 1e-5, `diff ${maxAbsDiff(out.logits, expected)}`);
  const sums = [0, 1, 2].map((b) => out.probabilities.subarray(b * 4, b * 4 + 4).reduce((a, v) => a + v, 0));
  for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5);
});

test('cnn1d ONNX graph matches a plain-TS forward pass (conv, BatchNorm, pooling, GAP)', async () => {
  const config = { kind: 'cnn1d' as const, inputDim: 16, classes: 3, channels: [4, 3], kernel: 5, dense: 6 };
  const w = randomise(initWeights(config, 5), 6);
  const batch = 2;
  const rng = new SeededRandom(11);
  const x = Float32Array.from({ length: batch * 16 }, () => rng.normal());
  const b0 = convBlock(x, batch, 1, 16, w, 0);
  const b1 = convBlock(b0.y, batch, b0.channels, b0.len, w, 1);
  const gap = new Float32Array(batch * b1.channels);
  for (let i = 0; i < gap.length; i++) {
    let s = 0;
    for (let t = 0; t < b1.len; t++) s += b1.y[i * b1.len + t];
    gap[i] = s / b1.len;
  }
  const expected = linear(relu(linear(gap, batch, w, 'dense')), batch, w, 'head');
  const session = await EmotionSession.load(exportOnnx(config, w));
  const out = await session.run({ features: { data: x, shape: [batch, 16] } });
  assert.ok(maxAbsDiff(out.logits, expected) < 1e-5, `diff ${maxAbsDiff(out.logits, expected)}`);
});
