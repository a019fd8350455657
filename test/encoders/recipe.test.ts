// A training recipe on the `encoder` feature set, end to end: torchaudio's wav2vec2 architecture
// (reduced width and depth, random weights) and HuBERT's, exported to ONNX by
// reference/encoder_models.py at test time, feed an MLP through the recipe runner on a synthetic
// RAVDESS-like corpus; the run folder is complete and the model beats chance.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMetricsJson } from '../../src/report/index.js';
import { runExperiment } from '../../src/train/experiment.js';
import { resolveRecipe } from '../../src/train/recipe.js';
import { writeRunReport } from '../../src/train/run-report.js';
import { repoRoot } from '../helpers/data.js';
import { makeSyntheticRavdess, removeSynthetic } from '../helpers/synthetic-corpus.js';
import { engineSkip } from '../models/engine-helpers.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(repoRoot, 'reference', 'encoder_models.py');

function skipReason(): string | false {
  const engine = engineSkip();
  if (engine) return engine;
  const r = spawnSync(PYTHON, ['-c', 'import torchaudio'], { encoding: 'utf8' });
  return r.status === 0
    ? false
    : 'encoder recipe skipped: /usr/bin/python3 cannot import torchaudio (apt-get install python3-torchaudio)';
}

/** The exported encoders, cached by the script's hash (the same cache as encoders.test.ts). */
function models(): string {
  const hash = createHash('sha256').update(readFileSync(SCRIPT)).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `emovox-encoder-models-${hash}`);
  if (existsSync(join(dir, 'expected.json'))) return dir;
  const partial = mkdtempSync(join(tmpdir(), 'emovox-encoder-models-tmp-'));
  const r = spawnSync(PYTHON, [SCRIPT, partial], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  mkdirSync(dir, { recursive: true });
  for (const f of [
    'w2v-layers.onnx',
    'hubert-stacked.onnx',
    'w2v-last.onnx',
    'conv-frontend.onnx',
    'ecapa-fbank.onnx',
    'xvector-wave.onnx',
    'expected.json',
  ])
    copyFileSync(join(partial, f), join(dir, f));
  rmSync(partial, { recursive: true, force: true });
  return dir;
}

const skip = skipReason();
let corpus = '';
let work = '';
before(() => {
  if (skip) return;
  corpus = makeSyntheticRavdess({ actors: 12, emotions: [1, 3, 4, 5], durationS: 0.5 });
  work = mkdtempSync(join(tmpdir(), 'emovox-encoder-recipe-'));
});
after(() => {
  if (corpus) removeSynthetic(corpus);
  if (work) rmSync(work, { recursive: true, force: true });
});

test(
  'a recipe on the encoder feature set (wav2vec2 layer 0 + HuBERT, mean+std) runs end to end',
  { skip },
  async () => {
    const dir = models();
    const recipe = resolveRecipe(
      {
        name: 'encoder-mlp',
        seed: 3,
        data: { corpora: [corpus], cache: join(work, 'cache'), workers: 0 },
        features: {
          features: {
            kind: 'vector',
            sets: [
              {
                name: 'encoder',
                params: {
                  model: join(dir, 'w2v-layers.onnx'),
                  layer: 0,
                  pooling: 'meanstd',
                  normalize: true,
                },
              },
              { name: 'encoder', params: { model: join(dir, 'hubert-stacked.onnx'), normalize: true } },
            ],
          },
        },
        normalization: { mode: 'global' },
        protocol: { name: 'speaker-kfold', k: 3 },
        model: { kind: 'mlp', hidden: [32], dropout: 0 },
        training: { epochs: 30, batchSize: 8, earlyStopping: { patience: 0 } },
        final: { train: true, calibrate: true },
      },
      'encoder-mlp',
    );
    const out = join(work, 'run');
    const result = await runExperiment(recipe, { out, folds: [1] });
    await writeRunReport(result);
    for (const f of ['recipe.yaml', 'metrics.json', 'report.txt', 'predictions.csv', 'model/model.json'])
      assert.ok(existsSync(join(out, f)), `${f} missing`);
    const metrics = parseMetricsJson(readFileSync(join(out, 'metrics.json'), 'utf8'));
    assert.equal(metrics.folds.length, 1);
    // 4 classes: chance UA is 0.25.
    assert.ok(metrics.aggregate.ua.mean >= 0.5, `UA ${metrics.aggregate.ua.mean}`);
    const model = JSON.parse(readFileSync(join(out, 'model', 'model.json'), 'utf8')) as unknown;
    assert.match(JSON.stringify(model), /"encoder"/);
  },
);
