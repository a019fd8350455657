import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  RECIPE_SCHEMA,
  applyOverrides,
  documentRule,
  parseOverride,
  resolveRecipe,
  sampleTrials,
  setPath,
  trialsTable,
} from '../../src/train/index.js';
import { repoRoot } from '../helpers/data.js';

const minimal = {
  data: { corpora: ['ravdess'] },
  features: { features: { kind: 'vector', sets: ['functionals'] } },
  model: { kind: 'mlp' },
};

test('docs/training.md lists every recipe key with its default', () => {
  const doc = readFileSync(join(repoRoot, 'docs', 'training.md'), 'utf8');
  const missing = documentRule(RECIPE_SCHEMA).filter((row) => !doc.includes(row));
  assert.deepEqual(missing, []);
});

test('a minimal recipe gets every default; shorthands expand', () => {
  const r = resolveRecipe(minimal, 'mini');
  assert.equal(r.name, 'mini');
  assert.deepEqual(r.data.corpora, [{ path: 'ravdess', corpus: null, role: 'eval', optional: false }]);
  assert.deepEqual(r.features.features.sets, [{ name: 'functionals', params: {} }]);
  assert.equal(r.training.optimizer.kind, 'adam');
  assert.equal(r.training.optimizer.lr, 0.001);
  assert.equal(r.protocol.valFraction, 0.2);
  assert.equal(r.data.specAugment, null);
  assert.equal(r.normalization.mode, 'global');
});

test('bad keys and values name the key', () => {
  assert.throws(
    () => resolveRecipe({ ...minimal, trainning: {} }),
    /^EmovoxParameterError: trainning: unknown key/,
  );
  assert.throws(
    () => resolveRecipe({ ...minimal, training: { epochs: 0 } }),
    /training\.epochs: must be >= 1/,
  );
  assert.throws(
    () => resolveRecipe({ ...minimal, training: { optimizer: { kind: 'rmsprop' } } }),
    /training\.optimizer\.kind: must be one of adam, adamw, sgd/,
  );
  assert.throws(
    () => resolveRecipe({ ...minimal, data: { corpora: [{ path: 'x', rol: 'train' }] } }),
    /data\.corpora\[0\]\.rol: unknown key/,
  );
  assert.throws(
    () => resolveRecipe({ ...minimal, features: { features: { kind: 'vector', sets: ['nope'] } } }),
    /features\.features\.sets\[0\]: nope: unknown feature set/,
  );
  assert.throws(
    () => resolveRecipe({ ...minimal, data: { corpora: [{ path: 'x', role: 'train' }] } }),
    /needs at least one corpus with role eval/,
  );
  assert.throws(
    () => resolveRecipe({ ...minimal, data: { corpora: ['x'], augment: { copies: 2 } } }),
    /data\.augment\.steps: copies is 2 but no steps/,
  );
});

test('--set overrides parse YAML values and dotted / indexed keys', () => {
  assert.deepEqual(parseOverride('training.epochs=5'), ['training.epochs', 5]);
  assert.deepEqual(parseOverride('model.hidden=[512, 256]'), ['model.hidden', [512, 256]]);
  assert.deepEqual(parseOverride('name=a=b'), ['name', 'a=b']);
  assert.throws(() => parseOverride('epochs'), /--set: expected key=value/);
  const raw = applyOverrides(minimal, [
    'data.corpora=a,b',
    'data.corpora[1].role=train',
    'training.optimizer.lr=0.01',
  ]);
  const r = resolveRecipe(raw);
  assert.deepEqual(
    r.data.corpora.map((c) => [c.path, c.role]),
    [
      ['a', 'eval'],
      ['b', 'train'],
    ],
  );
  assert.equal(r.training.optimizer.lr, 0.01);
  assert.deepEqual(minimal.data.corpora, ['ravdess'], 'overrides copy the recipe');
  assert.deepEqual(setPath({}, 'a.0.b', 1), { a: [{ b: 1 }] });
});

test('tuning trials: grid enumerates in order, random is seeded and respects ranges', () => {
  const grid = sampleTrials({ a: [1, 2], b: ['x', 'y'] }, 'grid', 10, 0);
  assert.deepEqual(grid, [
    { a: 1, b: 'x' },
    { a: 1, b: 'y' },
    { a: 2, b: 'x' },
    { a: 2, b: 'y' },
  ]);
  const space = { lr: { min: 1e-4, max: 1e-2, log: true }, h: [[64], [128]] } as const;
  const r1 = sampleTrials(space, 'random', 20, 3);
  assert.deepEqual(sampleTrials(space, 'random', 20, 3), r1);
  assert.ok(r1.every((t) => (t.lr as number) >= 1e-4 && (t.lr as number) <= 1e-2));
  assert.throws(() => sampleTrials(space, 'grid', 2, 0), /grid search needs a list of values for lr/);
  const table = trialsTable(
    [
      { trial: 1, params: { lr: 0.1 }, score: 0.5, seconds: 3, out: 'a' },
      { trial: 2, params: { lr: 0.2 }, score: 0.7, seconds: 4, out: 'b' },
    ],
    'valUa',
  );
  assert.match(table.split('\n')[2], /^\| 1 \| 2 \| 0\.2 \| 0\.7000 \| 4 \|$/);
});
