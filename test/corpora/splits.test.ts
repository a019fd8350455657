import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classWeights, oversample, undersample } from '../../src/corpora/balance.js';
import {
  RANDOM_SPLIT_WARNING,
  RAVDESS_FOLDS,
  corpusHeldOut,
  leaveOneSessionOut,
  leaveOneSpeakerOut,
  predefinedFolds,
  randomSplit,
  ravdessFolds,
  speakerKFold,
  speakerKey,
  speakerSplit,
  type SplitPartition,
  type SplitItem,
} from '../../src/corpora/splits.js';

interface TestItem extends SplitItem {
  n: number;
}

const LABELS = ['angry', 'happy', 'neutral', 'sad'];

/** Deterministic synthetic corpus: speakers with uneven, label-skewed item counts. */
function makeItems(speakers: number, corpus = 'c', prefix = 's'): TestItem[] {
  const items: TestItem[] = [];
  let n = 0;
  for (let s = 0; s < speakers; s++) {
    LABELS.forEach((label, l) => {
      const count = 2 + ((s * 3 + l * 5) % 7);
      for (let i = 0; i < count; i++) items.push({ label, speaker: `${prefix}${s}`, corpus, n: n++ });
    });
  }
  return items;
}

function assertSpeakerDisjoint<T extends SplitItem>(partition: SplitPartition<T>): void {
  const parts = [partition.train, partition.val, partition.test].map((p) => new Set(p.map(speakerKey)));
  for (let a = 0; a < 3; a++) {
    for (let b = a + 1; b < 3; b++) {
      for (const s of parts[a])
        assert.ok(!parts[b].has(s), `speaker ${s} in two partitions of ${partition.name}`);
    }
  }
  assert.equal(partition.leaksSpeakers, false);
}

/** Each item in exactly one test fold, and in the train set of every other fold. */
function assertCoverage(items: TestItem[], folds: SplitPartition<TestItem>[]): void {
  const seen = new Map<number, number>();
  for (const fold of folds) {
    for (const item of fold.test) seen.set(item.n, (seen.get(item.n) ?? 0) + 1);
    assert.equal(fold.train.length + fold.test.length + fold.val.length, items.length);
  }
  assert.equal(seen.size, items.length);
  for (const count of seen.values()) assert.equal(count, 1);
}

const ids = (items: TestItem[]): number[] => items.map((i) => i.n);

describe('randomSplit', () => {
  it('is stratified, seeded, and flags the speaker leak with a warning', () => {
    const items = makeItems(6);
    const split = randomSplit(items, { test: 0.25, val: 0.1, seed: 3 });
    assert.equal(split.leaksSpeakers, true);
    assert.equal(split.warning, RANDOM_SPLIT_WARNING);
    assert.equal(split.train.length + split.val.length + split.test.length, items.length);
    assert.equal(new Set([...ids(split.train), ...ids(split.val), ...ids(split.test)]).size, items.length);
    for (const label of LABELS) {
      const total = items.filter((i) => i.label === label).length;
      assert.equal(split.test.filter((i) => i.label === label).length, Math.round(total * 0.25));
      assert.equal(split.val.filter((i) => i.label === label).length, Math.round(total * 0.1));
    }
    assert.deepEqual(ids(randomSplit(items, { test: 0.25, val: 0.1, seed: 3 }).test), ids(split.test));
    assert.notDeepEqual(ids(randomSplit(items, { test: 0.25, val: 0.1, seed: 4 }).test), ids(split.test));
    assert.throws(() => randomSplit(items, { test: 0.7, val: 0.3 }), /below 1/);
    assert.throws(() => randomSplit(items, { test: Number.NaN }), /must be in/);
  });
});

describe('speakerKFold', () => {
  it('keeps every speaker in one fold, covers every item once, is seeded and roughly stratified', () => {
    const items = makeItems(17);
    const folds = speakerKFold(items, { k: 5, seed: 7 });
    assert.equal(folds.length, 5);
    folds.forEach(assertSpeakerDisjoint);
    assertCoverage(items, folds);
    const again = speakerKFold(items, { k: 5, seed: 7 });
    assert.deepEqual(
      again.map((f) => f.testSpeakers),
      folds.map((f) => f.testSpeakers),
    );
    const other = speakerKFold(items, { k: 5, seed: 8 });
    assert.notDeepEqual(
      other.map((f) => f.testSpeakers),
      folds.map((f) => f.testSpeakers),
    );
    for (const fold of folds) {
      assert.ok(fold.test.length > 0);
      for (const label of LABELS) {
        const share =
          fold.test.filter((i) => i.label === label).length / items.filter((i) => i.label === label).length;
        assert.ok(share > 0.1 && share < 0.32, `label ${label} share ${share} in ${fold.name}`);
      }
    }
  });
  it('keeps same-named speakers of different corpora apart and rejects impossible requests', () => {
    const items = [...makeItems(3, 'a'), ...makeItems(3, 'b')];
    const folds = speakerKFold(items, { k: 3 });
    folds.forEach(assertSpeakerDisjoint);
    assert.equal(new Set(folds.flatMap((f) => f.testSpeakers)).size, 6);
    assert.throws(() => speakerKFold(makeItems(3), { k: 4 }), /3 speakers cannot fill 4 folds/);
    assert.throws(() => speakerKFold(makeItems(3), { k: 1 }), /k must be/);
    assert.throws(() => speakerKFold([{ label: 'a', speaker: '', corpus: 'folders' }]), /has no speaker/);
  });
});

describe('leave-one-out protocols', () => {
  it('leave-one-speaker-out: one fold per speaker, disjoint, full coverage', () => {
    const items = makeItems(5);
    const folds = leaveOneSpeakerOut(items);
    assert.deepEqual(
      folds.map((f) => f.testSpeakers),
      [['c/s0'], ['c/s1'], ['c/s2'], ['c/s3'], ['c/s4']],
    );
    folds.forEach(assertSpeakerDisjoint);
    assertCoverage(items, folds);
  });
  it('leave-one-session-out: one fold per session; requires sessions', () => {
    const items = makeItems(4).map((item) => ({
      ...item,
      session: `Ses0${1 + (Number(item.speaker.slice(1)) >> 1)}`,
    }));
    const folds = leaveOneSessionOut(items);
    assert.deepEqual(
      folds.map((f) => f.name),
      ['session c/Ses01', 'session c/Ses02'],
    );
    folds.forEach(assertSpeakerDisjoint);
    assertCoverage(items, folds);
    assert.throws(() => leaveOneSessionOut(makeItems(2)), /has no session/);
  });
});

describe('predefined folds', () => {
  it('ships the community-standard RAVDESS folds: 6 folds of 4 actors covering actors 1-24 once', () => {
    const actors = RAVDESS_FOLDS.flat();
    assert.equal(actors.length, 24);
    assert.deepEqual(
      [...actors].sort(),
      Array.from({ length: 24 }, (_, i) => `Actor_${String(i + 1).padStart(2, '0')}`),
    );
    assert.deepEqual(RAVDESS_FOLDS[0], ['Actor_01', 'Actor_11', 'Actor_20', 'Actor_21']);
    const items: TestItem[] = [];
    for (let a = 1; a <= 24; a++) {
      for (const label of LABELS)
        items.push({
          label,
          speaker: `Actor_${String(a).padStart(2, '0')}`,
          corpus: 'ravdess',
          n: items.length,
        });
    }
    const folds = ravdessFolds(items);
    assert.equal(folds.length, 6);
    folds.forEach(assertSpeakerDisjoint);
    assertCoverage(items, folds);
    assert.deepEqual(folds[2].testSpeakers, [
      'ravdess/Actor_08',
      'ravdess/Actor_09',
      'ravdess/Actor_19',
      'ravdess/Actor_23',
    ]);
    assert.throws(() => ravdessFolds([{ label: 'a', speaker: 'x', corpus: 'tess', n: 0 }]), /RAVDESS only/);
  });
  it('rejects a speaker in no fold or in two folds', () => {
    const items = makeItems(3);
    assert.throws(() => predefinedFolds(items, [['s0'], ['s1']]), /c\/s2 is in none/);
    assert.throws(
      () =>
        predefinedFolds(items, [
          ['s0', 's1'],
          ['s1', 's2'],
        ]),
      /s1 is in two folds/,
    );
    const folds = predefinedFolds(items, [['c/s0', 's1'], ['s2']]);
    assertCoverage(items, folds);
  });
});

describe('speakerSplit and corpusHeldOut', () => {
  it('train/val/test with disjoint speakers near the requested fractions, seeded', () => {
    const items = makeItems(30);
    const split = speakerSplit(items, { test: 0.2, val: 0.1, seed: 5 });
    assertSpeakerDisjoint(split);
    assert.equal(split.train.length + split.val.length + split.test.length, items.length);
    assert.ok(
      Math.abs(split.test.length / items.length - 0.2) < 0.05,
      `test share ${split.test.length / items.length}`,
    );
    assert.ok(
      Math.abs(split.val.length / items.length - 0.1) < 0.05,
      `val share ${split.val.length / items.length}`,
    );
    assert.deepEqual(ids(speakerSplit(items, { test: 0.2, val: 0.1, seed: 5 }).test), ids(split.test));
    assert.throws(() => speakerSplit(makeItems(2), { test: 0.2, val: 0.1 }), /too few/);
  });
  it('corpus held out: trains on the others, tests on the named corpora', () => {
    const items = [...makeItems(2, 'ravdess'), ...makeItems(2, 'tess'), ...makeItems(2, 'urdu')];
    const split = corpusHeldOut(items, { test: ['urdu'] });
    assert.ok(split.test.every((i) => i.corpus === 'urdu'));
    assert.equal(split.train.length + split.test.length, items.length);
    const narrow = corpusHeldOut(items, { test: ['urdu'], train: ['tess'] });
    assert.ok(narrow.train.every((i) => i.corpus === 'tess'));
    assert.throws(() => corpusHeldOut(items, { test: ['tess'], train: ['tess'] }), /in train and test/);
    assert.throws(() => corpusHeldOut(items, { test: ['emodb'] }), /empty test/);
  });
});

describe('balancing', () => {
  const items = [
    ...Array.from({ length: 6 }, (_, i) => ({ label: 'a', i })),
    ...Array.from({ length: 3 }, (_, i) => ({ label: 'b', i: 6 + i })),
    { label: 'c', i: 9 },
  ];
  it("class weights follow scikit-learn's balanced formula n / (k * count)", () => {
    assert.deepEqual(classWeights(items), { a: 10 / (3 * 6), b: 10 / (3 * 3), c: 10 / (3 * 1) });
  });
  it('over-samples every label to the largest count, seeded', () => {
    const out = oversample(items, { seed: 1 });
    assert.equal(out.length, 18);
    for (const label of ['a', 'b', 'c']) assert.equal(out.filter((x) => x.label === label).length, 6);
    assert.deepEqual(out.slice(0, 10), items);
    assert.deepEqual(
      oversample(items, { seed: 1 }).map((x) => x.i),
      out.map((x) => x.i),
    );
    assert.throws(() => oversample(items, { perLabel: 2 }), /more than perLabel/);
  });
  it('under-samples every label to the smallest count, keeping order, seeded', () => {
    const out = undersample(items, { seed: 2 });
    assert.equal(out.length, 3);
    assert.deepEqual(
      out.map((x) => x.label),
      ['a', 'b', 'c'],
    );
    const two = undersample(
      items.filter((x) => x.label !== 'c'),
      { perLabel: 2, seed: 9 },
    );
    assert.equal(two.length, 4);
    assert.deepEqual(
      two,
      [...two].sort((x, y) => x.i - y.i),
    );
    assert.deepEqual(
      undersample(
        items.filter((x) => x.label !== 'c'),
        { perLabel: 2, seed: 9 },
      ),
      two,
    );
    assert.throws(() => undersample(items, { perLabel: 2 }), /fewer than perLabel/);
  });
});
