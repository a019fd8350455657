// Every recipe in recipes/ runs for one epoch on one fold of a tiny synthetic RAVDESS-like corpus
// and leaves a complete run folder (SpeechBrain's recipe tests do the same).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle } from '../../src/models/bundle.js';
import { parseMetricsJson } from '../../src/report/index.js';
import { runExperiment } from '../../src/train/experiment.js';
import { loadRecipe } from '../../src/train/recipe.js';
import { isTextRecipe, readRecipeFile } from '../../src/train/text-recipe.js';
import { writeRunReport } from '../../src/train/run-report.js';
import { repoRoot } from '../helpers/data.js';
import { makeSyntheticRavdess, removeSynthetic } from '../helpers/synthetic-corpus.js';
import { engineSkip } from '../models/engine-helpers.js';

const skip = engineSkip();
const recipesDir = join(repoRoot, 'recipes');
// Text recipes (task: text) have their own schema and test (test/text/text-recipe.test.ts).
const recipes = readdirSync(recipesDir)
  .filter((f) => /\.(ya?ml|json)$/.test(f) && !isTextRecipe(readRecipeFile(join(recipesDir, f))))
  .sort();
const temp = mkdtempSync(join(tmpdir(), 'emovox-recipes-test-'));
let corpus = '';
before(() => {
  corpus = makeSyntheticRavdess({ actors: 24, emotions: [1, 3, 4, 5], durationS: 0.5 });
});
after(() => {
  removeSynthetic(corpus);
  rmSync(temp, { recursive: true, force: true });
});

/** Overrides that shrink a recipe to seconds: the synthetic corpus, one epoch, a small cache. */
function tiny(file: string): string[] {
  const sets = [
    `data.corpora=[${corpus}]`,
    `data.cache=${join(temp, 'cache')}`,
    'data.workers=0',
    'training.epochs=1',
    'training.ensemble=1',
  ];
  // Protocols that need what the synthetic corpus lacks (IEMOCAP sessions) use speaker folds.
  const { recipe } = loadRecipe(join(recipesDir, file));
  if (recipe.protocol.name !== 'folds:ravdess6') sets.push('protocol.name=speaker-kfold', 'protocol.k=3');
  return sets;
}

const RUN_FILES = [
  'recipe.yaml',
  'train.log',
  'metrics.json',
  'report.txt',
  'report.html',
  'confusion.png',
  'curves.png',
  'predictions.csv',
  'model/model.json',
  'model/weights.bin',
  'model/model.onnx',
  'model/MODEL_CARD.md',
];

test('the recipes folder holds every seed recipe', () => {
  for (const name of [
    'cnn1d-vector180',
    'bilstm-attention',
    'bilstm-attention-iemocap',
    'emodsc',
    'mlp-mfcc-stats',
    'linear-functionals',
    'best-ravdess',
  ]) {
    assert.ok(
      recipes.some((f) => f.startsWith(`${name}.`)),
      `recipes/${name}.yaml missing`,
    );
  }
});

for (const file of recipes) {
  test(
    `recipe ${file} runs one epoch on a synthetic corpus and writes a complete run folder`,
    { skip },
    async () => {
      const { recipe } = loadRecipe(join(recipesDir, file), tiny(file));
      const out = join(temp, file.replace(/\.\w+$/, ''));
      const result = await runExperiment(recipe, { out, folds: [1] });
      await writeRunReport(result);
      for (const f of RUN_FILES) assert.ok(existsSync(join(out, f)), `${file}: ${f} missing`);
      const metrics = parseMetricsJson(readFileSync(join(out, 'metrics.json'), 'utf8'));
      assert.equal(metrics.folds.length, 1);
      assert.ok(metrics.aggregate.ua.mean >= 0 && metrics.aggregate.ua.mean <= 1);
      const bundle = loadBundle(join(out, 'model'));
      assert.deepEqual(bundle.labels, result.classes);
      assert.deepEqual(Object.keys(bundle.inputs ?? {}).sort(), Object.keys(recipe.features).sort());
    },
  );
}

test('emovox train (CLI) runs a recipe and resumes a finished run folder', { skip }, () => {
  const out = join(temp, 'cli');
  const args = [
    '--import',
    'tsx',
    join(repoRoot, 'src', 'cli', 'main.ts'),
    'train',
    join(recipesDir, 'mlp-mfcc-stats.yaml'),
  ];
  const sets = tiny('mlp-mfcc-stats.yaml').flatMap((s) => ['--set', s]);
  const first = spawnSync(process.execPath, [...args, ...sets, '--folds', '1', '--out', out, '--json'], {
    encoding: 'utf8',
    cwd: repoRoot,
  });
  assert.equal(first.status, 0, first.stderr);
  const summary = JSON.parse(first.stdout.trim().split('\n').pop()!);
  assert.equal(summary.folds.length, 1);
  assert.ok(summary.wallSeconds > 0);
  const again = spawnSync(
    process.execPath,
    [args[0], args[1], args[2], 'train', '--resume', out, '--folds', '1', '--json'],
    { encoding: 'utf8', cwd: repoRoot },
  );
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout.trim().split('\n').pop()!).folds, summary.folds);
  const bad = spawnSync(
    process.execPath,
    [...args, '--set', 'training.epoks=2', '--out', join(temp, 'bad')],
    { encoding: 'utf8', cwd: repoRoot },
  );
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /training\.epoks: unknown key/);
});
