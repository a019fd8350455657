import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeSpeechLike } from '../../src/audio/synthetic.js';
import { saveAudio } from '../../src/audio/save.js';
import { loadAudio } from '../../src/audio/load.js';
import { loadCorpus } from '../../src/corpora/load.js';
import type { CorpusItem } from '../../src/corpora/types.js';
import { moseiTargets } from '../../src/data/multitask.js';
import { vector180 } from '../../src/features/vector180.js';
import { Adam, manualSeed, noGrad, ops, tidy } from '../../src/engine/index.js';
import { buildModel } from '../../src/models/zoo.js';
import type { ModelConfig } from '../../src/models/config.js';
import { exportOnnx } from '../../src/models/onnx/export.js';
import { WordVocabulary } from '../../src/text/word-vocab.js';
import {
  multitaskLoss,
  multitaskMetrics,
  multitaskPredictions,
  positiveWeights,
  type MultitaskLayout,
} from '../../src/train/multitask.js';
import { SeededRandom } from '../../src/models/weights.js';
import * as ort from 'onnxruntime-node';
import { engineSkip } from '../models/engine-helpers.js';

// A synthetic corpus in CMU-MOSEI's layout (labels CSV with six emotion intensities, sentiment
// and transcript; one WAV per segment): emotions show in the words and in the voice's pitch, the
// sentiment in both. A fusion model with 6 label logits + 1 sentiment output trains on it with
// binary cross-entropy + L1, and is scored with MOSEI's metrics.
const EMOTIONS = ['happy', 'sad', 'anger', 'surprise', 'disgust', 'fear'];
const WORDS = ['joy', 'tears', 'furious', 'wow', 'gross', 'scared'];
const FILLER = ['the', 'and', 'so', 'then', 'it', 'was', 'we', 'they', 'went'];
const SR = 22050; // vector180's rate
const layout: MultitaskLayout = { labels: 6, regression: 1 };
let dir: string;
let items: CorpusItem[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emovox-mosei-'));
  const rng = new SeededRandom(11);
  const rows = ['video_id,segment_id,sentiment,text,happy,sad,anger,surprise,disgust,fear'];
  mkdirSync(join(dir, 'Audio'));
  for (let v = 0; v < 40; v++) {
    for (let s = 1; s <= 3; s++) {
      const intensity = EMOTIONS.map(() => (rng.next() < 0.3 ? Math.round((1 + 2 * rng.next()) * 3) / 3 : 0));
      const present = intensity.map((x) => x > 0);
      const sentiment = Math.max(
        -3,
        Math.min(3, 2 * +present[0] - 1.5 * +present[1] - +present[2] + 0.3 * rng.normal()),
      );
      const words = Array.from({ length: 4 }, () => FILLER[Math.floor(rng.next() * FILLER.length)]);
      present.forEach((p, k) => p && words.splice(Math.floor(rng.next() * words.length), 0, WORDS[k]));
      const f0 = 110 + 70 * +present[0] - 30 * +present[1] + 45 * +present[2] + 25 * +present[3];
      saveAudio(
        join(dir, 'Audio', `v${v}_${s}.wav`),
        synthesizeSpeechLike({ sampleRate: SR, durationS: 0.6, f0Hz: f0, seed: v * 3 + s }),
        SR,
      );
      rows.push(
        [
          `v${v}`,
          s,
          sentiment.toFixed(4),
          `"${words.join(' ')}"`,
          ...intensity.map((x) => x.toFixed(4)),
        ].join(','),
      );
    }
  }
  writeFileSync(join(dir, 'labels.csv'), rows.join('\n'));
  const corpus = await loadCorpus(dir);
  assert.equal(corpus.corpus, 'cmu-mosei');
  assert.equal(corpus.problems.length, 0, JSON.stringify(corpus.problems));
  items = corpus.items;
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('moseiTargets: presence above the threshold, sentiment from the labels CSV', () => {
  const t = moseiTargets(items);
  assert.deepEqual(t.labels, EMOTIONS);
  assert.equal(t.presence.length, items.length * 6);
  const first = items[0].meta.intensities as Record<string, number>;
  assert.deepEqual(
    [...t.presence.slice(0, 6)],
    EMOTIONS.map((e) => (first[e] > 0 ? 1 : 0)),
  );
  assert.ok(Math.abs(t.sentiment[0] - (items[0].meta.sentiment as number)) < 1e-6);
  const strict = moseiTargets(items, 1.5);
  assert.ok(strict.presence.reduce((a, b) => a + b) < t.presence.reduce((a, b) => a + b));
});

test('multitask outputs: sigmoid probabilities, regression columns, NaN targets ignored by the metrics', () => {
  const p = multitaskPredictions(Float32Array.from([0, 2, -2, 0.5, 10, -10, 1.25]), layout);
  assert.ok(
    Math.abs(p.probabilities[0] - 0.5) < 1e-7 && Math.abs(p.probabilities[1] - 1 / (1 + Math.exp(-2))) < 1e-7,
  );
  assert.deepEqual([...p.regression], [1.25]);
  const m = multitaskMetrics(
    { probabilities: Float32Array.from([0.9, 0.1, 0.8, 0.4]), regression: Float32Array.from([1, -1]) },
    Float32Array.from([1, 0, 1, 1]),
    Float32Array.from([0.5, Number.NaN]),
    ['a', 'b'],
  );
  assert.equal(m.emotions.perLabel[0].recall, 1);
  assert.equal(m.sentiment, null); // only one known target
  // label 0: 3 of 4 present -> 1/3; label 1: 1 of 4 -> 3 (negatives / positives).
  assert.deepEqual(
    [...positiveWeights(Float32Array.from([1, 0, 1, 0, 0, 0, 1, 1]), 2)],
    [Math.fround(1 / 3), 3],
  );
});

test(
  'fusion model with multi-label + sentiment heads learns the synthetic MOSEI corpus; ONNX outputs agree',
  { skip: engineSkip() },
  async () => {
    const targets = moseiTargets(items);
    const vectors = await Promise.all(
      items.map(async (item) => {
        const { samples } = await loadAudio(item.path, { sr: SR });
        return vector180(samples, SR).values;
      }),
    );
    const dim = vectors[0].length;
    const trainCount = 90;
    // z-score with training statistics
    const mean = new Float64Array(dim);
    const std = new Float64Array(dim);
    for (let i = 0; i < trainCount; i++) for (let k = 0; k < dim; k++) mean[k] += vectors[i][k] / trainCount;
    for (let i = 0; i < trainCount; i++)
      for (let k = 0; k < dim; k++) std[k] += (vectors[i][k] - mean[k]) ** 2 / trainCount;
    const audio = new Float32Array(items.length * dim);
    vectors.forEach((v, i) =>
      v.forEach((x, k) => (audio[i * dim + k] = (x - mean[k]) / (Math.sqrt(std[k]) || 1))),
    );
    const vocab = WordVocabulary.build(
      items.slice(0, trainCount).map((i) => i.text ?? ''),
      { minCount: 1 },
    );
    const tokens = vocab.encodeBatch(items.map((i) => i.text ?? ''));
    const config: ModelConfig = {
      kind: 'fusion',
      audioDim: dim,
      classes: 7,
      audioHidden: [32],
      textInput: 'tokens',
      vocabSize: vocab.size,
      embedDim: 16,
      textHidden: 16,
      dense: 32,
      dropout: 0.1,
    };
    manualSeed(2);
    const model = buildModel(config);
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const width = tokens.shape[1];
    const rows = (idx: number[]) => ({
      audio: ops.tensor(Float32Array.from(idx.flatMap((i) => [...audio.subarray(i * dim, (i + 1) * dim)])), {
        shape: [idx.length, dim],
      }),
      tokens: ops.tensor(
        BigInt64Array.from(idx.flatMap((i) => [...tokens.ids.subarray(i * width, (i + 1) * width)])),
        {
          shape: [idx.length, width],
        },
      ),
    });
    const posWeight = positiveWeights(targets.presence.slice(0, trainCount * 6), 6);
    const order = Array.from({ length: trainCount }, (_, i) => i);
    for (let epoch = 0; epoch < 60; epoch++) {
      model.train();
      for (let s = 0; s < trainCount; s += 30) {
        const idx = order.slice(s, s + 30);
        tidy(() => {
          const presence = ops.tensor(
            Float32Array.from(idx.flatMap((i) => [...targets.presence.subarray(i * 6, i * 6 + 6)])),
            {
              shape: [idx.length, 6],
            },
          );
          const sentiment = ops.tensor(
            Float32Array.from(idx, (i) => targets.sentiment[i]),
            { shape: [idx.length, 1] },
          );
          const loss = multitaskLoss(model.forward(rows(idx)), presence, sentiment, layout, {
            posWeight: ops.tensor(posWeight),
          });
          opt.zeroGrad();
          loss.backward();
          opt.step();
        });
      }
    }
    model.eval();
    const held = Array.from({ length: items.length - trainCount }, (_, i) => trainCount + i);
    const outputs = noGrad(() => tidy(() => model.forward(rows(held)).toFloat32Array()));
    const metrics = multitaskMetrics(
      multitaskPredictions(outputs, layout),
      targets.presence.slice(trainCount * 6),
      targets.sentiment.slice(trainCount),
      targets.labels,
    );
    assert.ok(
      metrics.emotions.meanWeightedAccuracy >= 0.85,
      `mean weighted accuracy ${metrics.emotions.meanWeightedAccuracy}`,
    );
    assert.ok(metrics.emotions.macroF1 >= 0.8, `macro F1 ${metrics.emotions.macroF1}`);
    assert.ok(metrics.sentiment!.pearson >= 0.8, `sentiment r ${metrics.sentiment!.pearson}`);
    assert.ok(metrics.sentiment!.mae <= 0.8, `sentiment MAE ${metrics.sentiment!.mae}`);
    // Items with no emotion have sentiment = noise around 0, whose sign no model can know.
    assert.ok(metrics.sentiment!.acc2 >= 0.7, `sentiment Acc-2 ${metrics.sentiment!.acc2}`);

    const session = await ort.InferenceSession.create(
      exportOnnx(config, model.stateDict(), { multitask: layout }),
    );
    const feeds = {
      audio: new ort.Tensor('float32', audio.slice(trainCount * dim), [held.length, dim]),
      tokens: new ort.Tensor('int64', tokens.ids.slice(trainCount * width), [held.length, width]),
    };
    const out = await session.run(feeds);
    assert.deepEqual(out.probabilities.dims, [held.length, 6]);
    const expected = multitaskPredictions(outputs, layout);
    (out.probabilities.data as Float32Array).forEach((p, i) =>
      assert.ok(Math.abs(p - expected.probabilities[i]) < 1e-5),
    );
    (out.regression.data as Float32Array).forEach((r, i) =>
      assert.ok(Math.abs(r - expected.regression[i]) < 1e-4),
    );
    await session.release();
    assert.throws(
      () => exportOnnx(config, model.stateDict(), { multitask: { labels: 6, regression: 2 } }),
      /layout/,
    );
    model.dispose();
    opt.dispose();
  },
);
