// The "bad input" list at the protocol and recipe-file level, without the engine: these
// checks run before any training, so they must hold on a machine without libtorch too.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CorpusItem } from '../../src/corpora/types.js';
import { loadRecipe, resolveRecipe } from '../../src/train/recipe.js';
import { makeFolds } from '../../src/train/protocol.js';

const temp = mkdtempSync(join(tmpdir(), 'emovox-protocol-test-'));
after(() => rmSync(temp, { recursive: true, force: true }));

const recipe = (protocol: Record<string, unknown>) =>
  resolveRecipe(
    {
      data: { corpora: ['x'] },
      features: { features: { kind: 'vector', sets: ['functionals'] } },
      model: { kind: 'mlp' },
      protocol,
    },
    'tiny',
  );

function item(speaker: string, label: string, n: number): CorpusItem {
  return {
    path: `/nowhere/${speaker}-${label}-${n}.wav`,
    corpus: 'toy',
    id: `${speaker}-${label}-${n}`,
    label,
    rawLabel: label,
    speaker,
    meta: {},
  };
}

/** `speakers` x `labels` x 2 items, minus the (speaker, label) pairs in `without`. */
function items(speakers: string[], labels: string[], without: [string, string][] = []): CorpusItem[] {
  return speakers.flatMap((s) =>
    labels.flatMap((l) =>
      without.some(([ws, wl]) => ws === s && wl === l) ? [] : [item(s, l, 0), item(s, l, 1)],
    ),
  );
}

test('an unknown key in a recipe file is an error naming the key and the file', () => {
  const path = join(temp, 'typo.yaml');
  writeFileSync(
    path,
    'data:\n  corpora: [ravdess]\nfeatures:\n  features: { kind: vector, sets: [functionals] }\ntraining:\n  epochz: 3\n',
  );
  assert.throws(
    () => loadRecipe(path),
    (error: Error) => {
      assert.match(error.message, /training\.epochz: unknown key/);
      assert.ok(error.message.includes(path), error.message);
      return true;
    },
  );
  assert.throws(() => loadRecipe(join(temp, 'absent.yaml')), /absent\.yaml.*cannot read recipe/);
});

test('a fold whose training set lacks a class is an error naming the fold and the class', () => {
  // Only speaker A has "sad": when A is the test speaker, the training folds have no "sad".
  const data = items(
    ['A', 'B', 'C', 'D'],
    ['happy', 'sad'],
    [
      ['B', 'sad'],
      ['C', 'sad'],
      ['D', 'sad'],
    ],
  );
  assert.throws(
    () => makeFolds(data, [], recipe({ name: 'loso', requireAllClasses: false }), ['happy', 'sad']),
    /protocol \(loso\), speaker toy\/A: has no training items of class "sad"/,
  );
});

test('a test fold without a class is an error unless requireAllClasses is off', () => {
  const data = items(['A', 'B', 'C', 'D'], ['happy', 'sad'], [['D', 'sad']]);
  assert.throws(
    () => makeFolds(data, [], recipe({ name: 'loso' }), ['happy', 'sad']),
    /speaker toy\/D: has no test items of class "sad" \(set protocol\.requireAllClasses: false/,
  );
  const folds = makeFolds(data, [], recipe({ name: 'loso', requireAllClasses: false }), ['happy', 'sad']);
  assert.equal(folds.length, 4);
});

test('a fold with a single training speaker is an error: validation needs other speakers', () => {
  const data = items(['A', 'B'], ['happy', 'sad']);
  assert.throws(
    () => makeFolds(data, [], recipe({ name: 'loso' }), ['happy', 'sad']),
    /speaker toy\/A: has a single training speaker \(toy\/B\): validation needs speakers other than the training ones/,
  );
});
