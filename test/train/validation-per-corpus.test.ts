// Validation speakers are carved per corpus when a fold trains on several: a corpus with few
// speakers (TESS has two) keeps one for training, so the classes only it has stay in training.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CorpusItem } from '../../src/corpora/index.js';
import { makeFolds } from '../../src/train/protocol.js';
import { resolveRecipe } from '../../src/train/recipe.js';

function items(corpus: string, speakers: number, labels: string[], gender?: 'female'): CorpusItem[] {
  const out: CorpusItem[] = [];
  for (let s = 1; s <= speakers; s++)
    for (const label of labels)
      out.push({
        path: `/x/${corpus}/${s}/${label}.wav`,
        corpus,
        id: `${s}-${label}`,
        label,
        rawLabel: label,
        speaker: String(s),
        meta: {},
        ...(gender ? { gender } : { gender: s % 2 ? ('male' as const) : ('female' as const) }),
      });
  return out;
}

test('corpus-holdout: every training corpus gives validation speakers and keeps at least one', () => {
  const all = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];
  const tess = items('tess', 2, all, 'female');
  const urdu = items('urdu', 29, ['neutral', 'happy', 'sad', 'angry']);
  const ravdess = items('ravdess', 24, all);
  for (let seed = 0; seed < 20; seed++) {
    const recipe = resolveRecipe({
      seed,
      data: { corpora: ['a'] },
      features: { features: { kind: 'vector', sets: ['functionals'] } },
      protocol: { name: 'corpus-holdout', testCorpora: ['ravdess'], requireAllClasses: false },
    });
    const [fold] = makeFolds([...tess, ...urdu, ...ravdess], [], recipe, all);
    const valBy = (c: string) => new Set(fold.val.filter((i) => i.corpus === c).map((i) => i.speaker));
    const trainBy = (c: string) => new Set(fold.train.filter((i) => i.corpus === c).map((i) => i.speaker));
    assert.equal(valBy('tess').size, 1, `seed ${seed}: one of the two TESS speakers validates`);
    assert.equal(trainBy('tess').size, 1);
    assert.equal(valBy('urdu').size, 6, `seed ${seed}: 20 % of URDU's 29 speakers`);
    for (const label of all)
      assert.ok(
        fold.train.some((i) => i.label === label),
        `seed ${seed}: ${label} in training`,
      );
    assert.ok(fold.test.every((i) => i.corpus === 'ravdess'));
  }
});
