// The bundled model's card exists twice: docs/bundled-model.md (the documentation page) and
// models/emovox-acted7/MODEL_CARD.md (what `emovox models emovox-acted7` prints, shipped in the
// package). scripts/bundled-model.ts (card stage) writes both; these tests catch one being
// edited or regenerated without the other, and a page that disagrees with the bundle it describes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { repoRoot } from '../helpers/data.js';

const modelDir = join(repoRoot, 'models', 'emovox-acted7');
const docFile = join(repoRoot, 'docs', 'bundled-model.md');
const cardFile = join(modelDir, 'MODEL_CARD.md');

/** Relative links replaced by the absolute paths they point at (anchors kept). */
function absoluteLinks(page: string, from: string): { text: string; targets: string[] } {
  const targets: string[] = [];
  const text = page.replace(
    /\]\((?!https?:|#)([^)#]+)(#[^)]*)?\)/g,
    (_m, link: string, anchor: string | undefined) => {
      const target = resolve(dirname(from), link);
      targets.push(target);
      return `](${target}${anchor ?? ''})`;
    },
  );
  return { text, targets };
}

test('docs/bundled-model.md and the bundle MODEL_CARD.md are the same page, links rebased', () => {
  const doc = absoluteLinks(readFileSync(docFile, 'utf8'), docFile);
  const card = absoluteLinks(readFileSync(cardFile, 'utf8'), cardFile);
  assert.equal(card.text, doc.text);
  for (const target of doc.targets) assert.ok(existsSync(target), `broken link to ${target}`);
});

test('the model card states what the bundle holds (classes, RAVDESS folds UA, temperature, threshold)', () => {
  const bundle = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as {
    labels: string[];
    card: { metrics: { ua: { mean: number; std: number } } };
    calibration: { temperature: number };
    metadata: Record<string, string>;
  };
  const page = readFileSync(docFile, 'utf8');
  assert.ok(page.includes(`classes: ${bundle.labels.join(', ')}`), 'class list');
  const ua = bundle.card.metrics.ua;
  assert.ok(
    page.includes(`UA ${(100 * ua.mean).toFixed(1)} ± ${(100 * ua.std).toFixed(1)} %`),
    `RAVDESS folds UA ${(100 * ua.mean).toFixed(1)} %`,
  );
  assert.ok(page.includes(`temperature ${bundle.calibration.temperature.toFixed(3)}`), 'temperature');
  const threshold = bundle.metadata['emovox.lowConfidenceBelow'];
  assert.ok(page.includes(`Low-confidence flag (threshold ${threshold})`), `threshold ${threshold}`);
  assert.ok(page.includes('non-commercial'), 'inherited terms');
  for (const corpus of ['ravdess', 'tess', 'urdu'])
    assert.match(page, new RegExp(`^\\| ${corpus} \\| [a-z +]+ \\| \\d+ \\| \\d+\\.\\d % \\|`, 'm'), corpus);
});
