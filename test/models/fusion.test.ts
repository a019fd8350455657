import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig, type ModelConfig } from '../../src/models/config.js';
import { modelInputs, parameterSpecs } from '../../src/models/plan.js';
import { initWeights, SeededRandom } from '../../src/models/weights.js';
import { exportOnnx } from '../../src/models/onnx/export.js';
import { EmotionSession, type InputTensor } from '../../src/infer/session.js';
import { manualSeed, tidy } from '../../src/engine/index.js';
import { buildModel } from '../../src/models/zoo.js';
import { engineSkip, toEngine } from './engine-helpers.js';

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  a.forEach((v, i) => (d = Math.max(d, Math.abs(v - b[i]))));
  return d;
}

const base = {
  kind: 'fusion' as const,
  audioDim: 6,
  classes: 3,
  audioHidden: [5],
  textDim: 4,
  textHidden: 4,
};

test('fusion configs written before the fusion modes load unchanged (early fusion, same weights and inputs)', () => {
  const c = resolveConfig({ ...base });
  assert.equal(c.kind === 'fusion' && c.fusion, 'early');
  assert.equal(c.kind === 'fusion' && c.presence, false);
  assert.deepEqual(
    modelInputs(base).map((i) => i.name),
    ['audio', 'text'],
  );
  assert.deepEqual(
    parameterSpecs(base).map((p) => p.name),
    [
      'audio.0.weight',
      'audio.0.bias',
      'text.proj.weight',
      'text.proj.bias',
      'dense.weight',
      'dense.bias',
      'head.weight',
      'head.bias',
    ],
  );
  assert.throws(() => resolveConfig({ ...base, fusion: 'middle' }), /fusion must be/);
  assert.throws(() => resolveConfig({ ...base, modalityDropout: 0.2 }), /needs presence/);
});

function inputs(rng: SeededRandom, presence: number[][]): Record<string, InputTensor> {
  const n = presence.length;
  return {
    audio: { data: Float32Array.from({ length: n * 6 }, () => rng.normal()), shape: [n, 6] },
    text: { data: Float32Array.from({ length: n * 4 }, () => rng.normal()), shape: [n, 4] },
    presence: { data: Float32Array.from(presence.flat()), shape: [n, 2] },
  };
}

/** Replaces the rows of modality `name` whose presence column `column` is 0 with fresh noise. */
function scrambleMissing(
  x: Record<string, InputTensor>,
  name: 'audio' | 'text',
  column: number,
  rng: SeededRandom,
) {
  const out = { ...x, [name]: { ...x[name], data: Float32Array.from(x[name].data as Float32Array) } };
  const width = x[name].shape[1];
  const p = x.presence.data as Float32Array;
  for (let i = 0; i < x.presence.shape[0]; i++)
    if (p[2 * i + column] === 0)
      for (let k = 0; k < width; k++) (out[name].data as Float32Array)[i * width + k] = 10 * rng.normal();
  return out;
}

for (const fusion of ['early', 'late', 'attention'] as const) {
  test(`${fusion} fusion: a missing modality's input is ignored (presence mask), present ones matter`, async () => {
    const config = { ...base, fusion, presence: true, fusedDim: 3 } as ModelConfig;
    const session = await EmotionSession.load(exportOnnx(config, initWeights(config, 5)));
    const rng = new SeededRandom(1);
    const x = inputs(rng, [
      [1, 1],
      [0, 1],
      [1, 0],
      [0, 0],
    ]);
    const reference = (await session.run(x)).logits;
    for (const [name, column] of [
      ['audio', 0],
      ['text', 1],
    ] as const) {
      const changed = (await session.run(scrambleMissing(x, name, column, rng))).logits;
      assert.equal(maxAbsDiff(changed, reference), 0, `${name} missing must not matter`);
    }
    // Scrambling a present modality changes that row.
    const all: Record<string, InputTensor> = {
      ...x,
      presence: { data: new Float32Array(8).fill(1), shape: [4, 2] },
    };
    const moved = (await session.run(scrambleMissing(all, 'audio', 0, rng))).logits;
    assert.deepEqual([...moved], [...(await session.run(all)).logits]); // nothing missing: nothing scrambled
    const noisy = {
      ...all,
      audio: { data: (all.audio.data as Float32Array).map((v) => v + 1), shape: all.audio.shape },
    };
    assert.notDeepEqual(
      [...(await session.run(noisy)).logits.slice(0, 3)],
      [...(await session.run(all)).logits.slice(0, 3)],
    );
    await session.release();
  });
}

test('late fusion with one modality missing predicts from the other alone; learned weights are a softmax', async () => {
  const config = { ...base, fusion: 'late', presence: true } as ModelConfig;
  const weights = initWeights(config, 9);
  weights.set('late.weight', { shape: [2], data: Float32Array.from([0.3, -0.4]) });
  const x = inputs(new SeededRandom(2), [
    [1, 0],
    [0, 1],
    [1, 1],
  ]);
  const masked = await EmotionSession.load(exportOnnx(config, weights));
  const logits = (await masked.run(x)).logits;
  const run = async (lateWeight: number[]) => {
    const w = new Map(weights);
    w.set('late.weight', { shape: [2], data: Float32Array.from(lateWeight) });
    const s = await EmotionSession.load(exportOnnx({ ...config, presence: false } as ModelConfig, w));
    const out = (await s.run({ audio: x.audio, text: x.text })).logits;
    await s.release();
    return out;
  };
  // Weights (40, -40) and (-40, 40) make softmax one-hot: the audio head's and the text head's logits.
  const audioHead = await run([40, -40]);
  const textHead = await run([-40, 40]);
  const wa = Math.exp(0.3) / (Math.exp(0.3) + Math.exp(-0.4));
  for (let k = 0; k < 3; k++) {
    assert.ok(Math.abs(logits[k] - audioHead[k]) < 1e-5, 'row 0: audio only');
    assert.ok(Math.abs(logits[3 + k] - textHead[3 + k]) < 1e-5, 'row 1: text only');
    const mixed = wa * audioHead[6 + k] + (1 - wa) * textHead[6 + k];
    assert.ok(Math.abs(logits[6 + k] - mixed) < 1e-5, 'row 2: softmax-weighted mix');
  }
  await masked.release();
});

test('modality dropout hides one modality of some items in training only', { skip: engineSkip() }, () => {
  manualSeed(3);
  const config = {
    ...base,
    fusion: 'early',
    presence: true,
    modalityDropout: 0.9,
    dropout: 0,
  } as ModelConfig;
  const model = buildModel(config);
  const x = inputs(
    new SeededRandom(4),
    Array.from({ length: 64 }, () => [1, 1]),
  );
  const run = () => tidy(() => model.forward(toEngine(x)).toFloat32Array());
  model.eval();
  const a = run();
  assert.deepEqual([...run()], [...a], 'eval is deterministic');
  model.train();
  const b = run();
  let changed = 0;
  for (let i = 0; i < 64; i++) if (Math.abs(a[i * 3] - b[i * 3]) > 1e-6) changed++;
  assert.ok(changed > 32 && changed < 64, `${changed} of 64 rows changed with p = 0.9`);
  model.dispose();
});
