import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBundle } from '../../src/models/bundle.js';
import {
  ExperimentInterrupted,
  runExperiment,
  type ExperimentEvent,
  type ExperimentResult,
} from '../../src/train/experiment.js';
import { recipeYaml, resolveRecipe, type Recipe } from '../../src/train/recipe.js';
import { runReportInput } from '../../src/train/run-report.js';
import { EmovoxInputError } from '../../src/util/errors.js';
import { engineSkip } from '../models/engine-helpers.js';
import { syntheticRavdessFixture } from '../helpers/synthetic-corpus.js';

const skip = engineSkip();
const { temp, corpus } = syntheticRavdessFixture('emovox-jobs-test-', {
  actors: 24,
  emotions: [1, 3, 4, 5],
  durationS: 0.5,
});

function recipe(over: Record<string, unknown> = {}): Recipe {
  return resolveRecipe(
    {
      name: 'tiny-jobs',
      seed: 5,
      data: { corpora: [corpus()], cache: join(temp, 'cache'), workers: 0 },
      features: {
        features: { kind: 'vector', sets: [{ name: 'functionals', params: { stats: ['mean', 'std'] } }] },
      },
      protocol: { name: 'folds:ravdess6' },
      model: { kind: 'mlp', hidden: [16], dropout: 0.2 },
      training: {
        epochs: 8,
        batchSize: 16,
        optimizer: { lr: 0.01 },
        earlyStopping: { patience: 3 },
        schedule: { kind: 'plateau', patience: 1 },
        threads: 1,
      },
      ...over,
    },
    'tiny-jobs',
  );
}

const FOLDS = [1, 2, 3];

/** Everything a run reports per fold, and the aggregates metrics.json is written from. */
function numbers(r: ExperimentResult) {
  const input = runReportInput(r);
  return {
    folds: r.folds.map((f) => ({
      name: f.name,
      predicted: f.predicted,
      probabilities: f.probabilities,
      histories: f.histories,
      valScores: f.valScores,
      bestEpochs: f.bestEpochs,
      temperature: f.temperature,
    })),
    metrics: input.folds.map((f) => f.metrics),
    validationScore: r.validationScore,
  };
}

let sequential: ExperimentResult | undefined;
async function sequentialRun(): Promise<ExperimentResult> {
  sequential ??= await runExperiment(recipe(), { out: join(temp, 'jobs1'), folds: FOLDS, jobs: 1 });
  return sequential;
}

test(
  'jobs 2 runs folds and the final model in child processes with the same numbers as jobs 1',
  { skip, timeout: 240_000 },
  async () => {
    const one = await sequentialRun();
    const events: ExperimentEvent[] = [];
    const two = await runExperiment(recipe(), {
      out: join(temp, 'jobs2'),
      folds: FOLDS,
      jobs: 2,
      onEvent: (e) => events.push(e),
    });
    assert.deepEqual(numbers(two), numbers(one));
    // Per-fold summary lines and the job counter reached the parent.
    assert.equal(events.filter((e) => e.type === 'fold-end').length, FOLDS.length);
    const last = events.filter((e) => e.type === 'jobs').at(-1);
    assert.deepEqual(last, { type: 'jobs', done: 4, total: 4, running: [] });
    assert.ok(events.some((e) => e.type === 'epoch' && e.fold === 'final model'));
    assert.ok(!events.some((e) => e.type === 'batch'), 'batch events stay in the jobs');
    // The final model, trained by a job and saved by the parent, has the sequential run's weights.
    const a = loadBundle(join(one.out, 'model'));
    const b = loadBundle(join(two.out, 'model'));
    assert.deepEqual([...b.weights.keys()], [...a.weights.keys()]);
    for (const [name, w] of a.weights) assert.deepEqual(b.weights.get(name)!.data, w.data, name);
    assert.equal(b.calibration?.temperature, a.calibration?.temperature);
  },
);

test(
  'a parallel run stopped by its signal leaves a resumable folder that --resume completes to the same numbers',
  { skip, timeout: 240_000 },
  async () => {
    const one = await sequentialRun();
    const out = join(temp, 'stopped');
    const controller = new AbortController();
    await assert.rejects(
      runExperiment(recipe(), {
        out,
        folds: FOLDS,
        jobs: 2,
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'epoch' && e.log.epoch === 1) controller.abort();
        },
      }),
      ExperimentInterrupted,
    );
    const finished = readdirSync(join(out, 'folds'));
    assert.ok(finished.length < FOLDS.length, `folds written: ${finished.join(', ')}`);
    assert.ok(!finished.some((f) => !/^fold-\d\d\.json$/.test(f)), `stray files: ${finished.join(', ')}`);
    assert.ok(readdirSync(join(out, 'checkpoints')).length > 0, 'the stopped jobs left checkpoints');
    assert.ok(!existsSync(join(out, 'model')));
    const resumed = await runExperiment(recipe(), { out, folds: FOLDS, jobs: 2, resume: true });
    assert.deepEqual(numbers(resumed), numbers(one));
  },
);

test(
  'a failing job fails the run with its own error and stops the other jobs',
  { skip, timeout: 240_000 },
  async () => {
    const r = recipe({ final: { train: false } });
    const out = join(temp, 'failing');
    mkdirSync(join(out, 'checkpoints'), { recursive: true });
    writeFileSync(join(out, 'recipe.yaml'), recipeYaml(r));
    const bad = join(out, 'checkpoints', 'fold-02.ckpt');
    writeFileSync(bad, 'not a checkpoint');
    const error = await runExperiment(r, { out, folds: [1, 2], jobs: 2, resume: true }).then(
      () => assert.fail('the run should fail'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof EmovoxInputError, String(error));
    assert.equal(error.source, bad);
    assert.ok(!existsSync(join(out, 'folds', 'fold-02.json')));
    assert.ok(!existsSync(join(out, 'model')));
  },
);
