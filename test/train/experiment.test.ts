import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle } from '../../src/models/bundle.js';
import { ExperimentInterrupted, runExperiment, type ExperimentEvent } from '../../src/train/experiment.js';
import { resolveRecipe, type Recipe } from '../../src/train/recipe.js';
import { engineSkip } from '../models/engine-helpers.js';
import { makeSyntheticRavdess, removeSynthetic } from '../helpers/synthetic-corpus.js';

const skip = engineSkip();
const temp = mkdtempSync(join(tmpdir(), 'emovox-experiment-test-'));
let corpus = '';
before(() => {
  corpus = makeSyntheticRavdess({ actors: 24, emotions: [1, 3, 4, 5], durationS: 0.5 });
});
after(() => {
  removeSynthetic(corpus);
  rmSync(temp, { recursive: true, force: true });
});

function recipe(over: Record<string, unknown> = {}): Recipe {
  return resolveRecipe(
    {
      name: 'tiny',
      seed: 3,
      data: { corpora: [corpus], cache: join(temp, 'cache'), workers: 0 },
      features: {
        features: { kind: 'vector', sets: [{ name: 'functionals', params: { stats: ['mean', 'std'] } }] },
      },
      protocol: { name: 'folds:ravdess6' },
      model: { kind: 'mlp', hidden: [16], dropout: 0.1 },
      training: {
        epochs: 6,
        batchSize: 16,
        optimizer: { lr: 0.01 },
        earlyStopping: { patience: 0 },
        schedule: { kind: 'plateau', patience: 1 },
      },
      ...over,
    },
    'tiny',
  );
}

test('a run writes folds, checkpoints, the recipe and a format-2 bundle', { skip }, async () => {
  const out = join(temp, 'run');
  const events: ExperimentEvent['type'][] = [];
  const r = await runExperiment(recipe(), { out, folds: [1, 2], onEvent: (e) => events.push(e.type) });
  assert.equal(r.folds.length, 2);
  assert.deepEqual(r.classes, ['neutral', 'happy', 'sad', 'angry']);
  assert.deepEqual(r.folds[0].testSpeakers, [
    'ravdess/Actor_01',
    'ravdess/Actor_11',
    'ravdess/Actor_20',
    'ravdess/Actor_21',
  ]);
  // Validation speakers come from the training speakers, never from the test fold.
  for (const f of r.folds) assert.equal(f.truth.length, 16);
  assert.ok(existsSync(join(out, 'recipe.yaml')));
  assert.deepEqual(readdirSync(join(out, 'folds')).sort(), ['fold-01.json', 'fold-02.json']);
  assert.ok(existsSync(join(out, 'checkpoints', 'fold-01.ckpt')));
  assert.ok(events.includes('epoch') && events.includes('fold-end'));
  const bundle = loadBundle(join(out, 'model'));
  assert.deepEqual(bundle.labels, r.classes);
  assert.equal(bundle.inputs?.features.sets[0].name, 'functionals');
  assert.equal(bundle.normalization?.features.mode, 'global');
  assert.equal(bundle.normalization?.features.stats?.mean.length, 120);
  assert.ok(bundle.calibration && bundle.calibration.temperature > 0);
  assert.match(readFileSync(join(out, 'model', 'MODEL_CARD.md'), 'utf8'), /CC BY-NC-SA 4\.0/);
  assert.ok(existsSync(join(out, 'model', 'model.onnx')));
  assert.match(readFileSync(join(out, 'train.log'), 'utf8'), /fold 1\/6: UA/);
  // The synthetic classes are learnable: well above chance (25 %).
  assert.ok(r.metrics[0].ua > 0.4, `fold 1 UA ${r.metrics[0].ua}`);
  await assert.rejects(runExperiment(recipe(), { out, folds: [1] }), /already holds a run/);
});

test(
  'an interrupted run resumes to the same predictions and metrics as an uninterrupted one',
  { skip },
  async () => {
    const r = recipe({ final: { train: false } });
    const full = await runExperiment(r, { out: join(temp, 'full'), folds: [1, 2] });
    const out = join(temp, 'killed');
    const controller = new AbortController();
    let epochs = 0;
    await assert.rejects(
      runExperiment(r, {
        out,
        folds: [1, 2],
        signal: controller.signal,
        onEvent: (e) => {
          // Stop in the middle of fold 2.
          if (e.type === 'epoch' && ++epochs === 9) controller.abort();
        },
      }),
      ExperimentInterrupted,
    );
    assert.ok(existsSync(join(out, 'folds', 'fold-01.json')));
    assert.ok(!existsSync(join(out, 'folds', 'fold-02.json')));
    assert.ok(!existsSync(join(out, 'metrics.json')));
    const resumed = await runExperiment(r, { out, folds: [1, 2], resume: true });
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(resumed.folds[i].predicted, full.folds[i].predicted);
      assert.deepEqual(resumed.folds[i].histories, full.folds[i].histories);
      assert.deepEqual(resumed.folds[i].probabilities, full.folds[i].probabilities);
      assert.equal(resumed.metrics[i].ua, full.metrics[i].ua);
    }
    const changed = recipe({ final: { train: false }, seed: 4 });
    await assert.rejects(runExperiment(changed, { out, resume: true }), /differs from the recipe given/);
  },
);

test('bad recipes fail before any training, naming the key or file', { skip }, async () => {
  const out = (name: string) => join(temp, `bad-${name}`);
  assert.throws(() => recipe({ training: { optimzer: {} } }), /training\.optimzer: unknown key/);
  await assert.rejects(
    runExperiment(recipe({ data: { corpora: [join(temp, 'nowhere')] } }), { out: out('path') }),
    /data\.corpora\[0\]\.path: corpus path .*nowhere does not exist/,
  );
  await assert.rejects(
    runExperiment(
      recipe({
        data: {
          corpora: [corpus],
          labels: { merge: { neutral: ['happy'] }, keep: ['neutral', 'happy', 'sad'] },
        },
      }),
      { out: out('merge') },
    ),
    /data\.labels: class "happy" is empty: the merge into "neutral" took all its items/,
  );
  const two = makeSyntheticRavdess({ actors: 2, emotions: [1, 3] });
  const three = makeSyntheticRavdess({ actors: 5, emotions: [1, 3] });
  rmSync(join(three, 'Actor_05', '03-01-03-01-01-01-05.wav'));
  try {
    await assert.rejects(
      runExperiment(
        recipe({ data: { corpora: [three], cache: join(temp, 'cache') }, protocol: { name: 'loso' } }),
        { out: out('noclass') },
      ),
      /protocol \(loso\), speaker ravdess\/Actor_05: has no test items of class "happy"/,
    );
    await assert.rejects(
      runExperiment(
        recipe({
          data: { corpora: [two], cache: join(temp, 'cache') },
          protocol: { name: 'speaker-kfold', k: 2 },
        }),
        { out: out('single') },
      ),
      /fold 1\/2: has a single training speaker \(ravdess\/Actor_0[12]\)/,
    );
  } finally {
    removeSynthetic(two);
    removeSynthetic(three);
  }
  // None of them trained anything.
  for (const name of ['path', 'merge', 'noclass', 'single']) {
    assert.deepEqual(
      existsSync(join(out(name), 'checkpoints')) ? readdirSync(join(out(name), 'checkpoints')) : [],
      [],
    );
  }
});
