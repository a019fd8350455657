// One short real-data fold keeps the whole path alive on the shared corpora: features from
// RAVDESS through the cache, the EmoBox fold 1, the training loop, metrics and a bundle. Skips
// without the data. About a minute on two cores with a cold feature cache.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment } from '../../src/train/experiment.js';
import { loadRecipe } from '../../src/train/recipe.js';
import { writeRunReport } from '../../src/train/run-report.js';
import { realDataSkip, repoRoot, sharedDataDir } from '../helpers/data.js';
import { engineSkip } from '../models/engine-helpers.js';

const skip = realDataSkip() || engineSkip();
const temp = mkdtempSync(join(tmpdir(), 'emovox-real-recipe-'));
after(() => rmSync(temp, { recursive: true, force: true }));

test('linear-functionals on RAVDESS fold 1: well above chance, complete run folder', { skip }, async () => {
  const { recipe } = loadRecipe(join(repoRoot, 'recipes', 'linear-functionals.yaml'), [
    `data.root=${sharedDataDir()}`,
    'training.epochs=40',
    'final.train=false',
  ]);
  const out = join(temp, 'run');
  const result = await runExperiment(recipe, { out, folds: [1] });
  const files = await writeRunReport(result);
  assert.ok(files.some((f) => f.endsWith('metrics.json')));
  assert.ok(existsSync(join(out, 'report.html')));
  assert.equal(result.folds[0].truth.length, 240, 'fold 1 tests actors 1, 11, 20 and 21 (4 x 60 clips)');
  // Chance is 12.5 % (8 classes); the full recipe reaches about 45 % on this fold.
  assert.ok(result.metrics[0].ua > 0.3, `fold 1 UA ${result.metrics[0].ua}`);
});
