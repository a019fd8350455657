import { EmovoxInputError } from '../util/errors.js';
import { mulberry32, shuffled } from '../util/random.js';

/** The fields splits need from an item (any `CorpusItem` has them). */
export interface SplitItem {
  label: string;
  speaker: string;
  corpus: string;
  session?: string;
}

/** One train / validation / test partition of a list of items. */
export interface SplitPartition<T> {
  /** `random`, `fold 1/5`, `speaker Actor_01`, `session iemocap/Ses01`, ... */
  name: string;
  train: T[];
  val: T[];
  test: T[];
  /** True when the same speakers may appear in train and test (random splits). */
  leaksSpeakers: boolean;
  /** Text reports must print next to results of a speaker-leaking partition. */
  warning?: string;
  /** Speaker keys (`corpus/speaker`) of the test partition, for speaker-independent partitions. */
  testSpeakers?: string[];
}

/** Warning attached to every random (speaker-leaking) split. */
export const RANDOM_SPLIT_WARNING =
  'random split: the same speakers are in train and test, which inflates accuracy (by 5-15 points on acted corpora); ' +
  'report a speaker-independent protocol as the headline result';

/**
 * RAVDESS's community-standard 6 speaker-independent folds (4 actors each), as RAVDESS speaker ids.
 */
export const RAVDESS_FOLDS: readonly (readonly string[])[] = [
  [1, 11, 20, 21],
  [4, 10, 12, 14],
  [8, 9, 19, 23],
  [3, 5, 7, 24],
  [2, 15, 16, 18],
  [6, 13, 17, 22],
].map((fold) => fold.map((actor) => `Actor_${String(actor).padStart(2, '0')}`));

/**
 * Speaker identity across corpora: `corpus/speaker`, so speaker `03` of EmoDB and of another
 * corpus never collide.
 *
 * @throws EmovoxInputError when the item has no speaker (generic folders / manifests without one)
 */
export function speakerKey(item: SplitItem): string {
  if (item.speaker === '') {
    throw new EmovoxInputError(
      `${item.corpus} item`,
      'has no speaker; speaker-independent splits need speaker ids',
    );
  }
  return `${item.corpus}/${item.speaker}`;
}

function checkFraction(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0 || value >= 1) {
    throw new EmovoxInputError(`split option ${name}`, `must be in [0, 1), got ${value}`);
  }
}

/** Options of `randomSplit`. */
export interface RandomSplitOptions {
  /** Fraction of items in test (default 0.2). */
  test?: number;
  /** Fraction of items in validation (default 0). */
  val?: number;
  /** PRNG seed (default 0). */
  seed?: number;
  /** Keep each label's proportions in every partition (default true). */
  stratify?: boolean;
}

/**
 * Random split, stratified by label by default. It leaks speakers: the result carries
 * `leaksSpeakers: true` and `RANDOM_SPLIT_WARNING`, which reports must print.
 *
 * @param items items to split
 * @param options `test` (0.2), `val` (0), `seed` (0), `stratify` (true)
 */
export function randomSplit<T extends SplitItem>(
  items: readonly T[],
  options: RandomSplitOptions = {},
): SplitPartition<T> {
  const test = options.test ?? 0.2;
  const val = options.val ?? 0;
  checkFraction('test', test);
  checkFraction('val', val);
  if (test + val >= 1) throw new EmovoxInputError('randomSplit', 'test + val must be below 1');
  const random = mulberry32(options.seed ?? 0);
  const groups = new Map<string, number[]>();
  items.forEach((item, index) => {
    const key = options.stratify === false ? '' : item.label;
    const list = groups.get(key) ?? [];
    list.push(index);
    groups.set(key, list);
  });
  const role = new Array<'train' | 'val' | 'test'>(items.length);
  for (const key of [...groups.keys()].sort()) {
    const order = shuffled(groups.get(key)!, random);
    const nTest = Math.round(order.length * test);
    const nVal = Math.round(order.length * val);
    order.forEach((index, rank) => {
      role[index] = rank < nTest ? 'test' : rank < nTest + nVal ? 'val' : 'train';
    });
  }
  const out: SplitPartition<T> = {
    name: 'random',
    train: [],
    val: [],
    test: [],
    leaksSpeakers: true,
    warning: RANDOM_SPLIT_WARNING,
  };
  items.forEach((item, index) => out[role[index]].push(item));
  return out;
}

/** Partitions from a speaker-key -> fold index assignment (val left empty). */
function foldsFromAssignment<T extends SplitItem>(
  items: readonly T[],
  foldOf: (item: T) => number,
  names: string[],
): SplitPartition<T>[] {
  const folds: SplitPartition<T>[] = names.map((name) => ({
    name,
    train: [],
    val: [],
    test: [],
    leaksSpeakers: false,
  }));
  const speakers = names.map(() => new Set<string>());
  for (const item of items) {
    const fold = foldOf(item);
    folds.forEach((partition, index) => (index === fold ? partition.test : partition.train).push(item));
    if (item.speaker !== '') speakers[fold].add(`${item.corpus}/${item.speaker}`);
  }
  folds.forEach((partition, index) => (partition.testSpeakers = [...speakers[index]].sort()));
  return folds;
}

/** Per-label counts of each group (rows) over the sorted label list (columns). */
function groupLabelCounts<T extends SplitItem>(items: readonly T[], groupOf: (item: T) => string) {
  const labels = [...new Set(items.map((i) => i.label))].sort();
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const counts = new Map<string, number[]>();
  for (const item of items) {
    const group = groupOf(item);
    const row = counts.get(group) ?? new Array<number>(labels.length).fill(0);
    row[labelIndex.get(item.label)!]++;
    counts.set(group, row);
  }
  return { labels, counts };
}

const std = (values: number[]): number => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
};

/** Options of `speakerKFold`. */
export interface SpeakerKFoldOptions {
  /** Number of folds (default 5). */
  k?: number;
  /** PRNG seed for the speaker order (default 0). */
  seed?: number;
}

/**
 * Speaker-independent k-fold: every speaker's items fall in exactly one test fold, and folds are
 * stratified by label as far as whole speakers allow (the greedy assignment of scikit-learn's
 * `StratifiedGroupKFold(shuffle=True)`: speakers in seeded random order, then by decreasing spread
 * of their label counts, each to the fold that keeps per-label proportions most even, ties to the
 * smaller fold).
 *
 * @param items items with speakers
 * @param options `k` (5), `seed` (0)
 * @returns k partitions (train = all other folds, val empty)
 * @throws EmovoxInputError when an item has no speaker, k < 2, or there are fewer speakers than folds
 */
export function speakerKFold<T extends SplitItem>(
  items: readonly T[],
  options: SpeakerKFoldOptions = {},
): SplitPartition<T>[] {
  const k = options.k ?? 5;
  if (!Number.isInteger(k) || k < 2)
    throw new EmovoxInputError('speakerKFold', `k must be an integer >= 2, got ${k}`);
  const { labels, counts } = groupLabelCounts(items, speakerKey);
  const speakers = shuffled([...counts.keys()].sort(), mulberry32(options.seed ?? 0));
  if (speakers.length < k) {
    throw new EmovoxInputError('speakerKFold', `${speakers.length} speakers cannot fill ${k} folds`);
  }
  const labelTotals = labels.map((_, c) => speakers.reduce((sum, s) => sum + counts.get(s)![c], 0));
  const spread = new Map(speakers.map((s) => [s, std(counts.get(s)!)]));
  // Stable sort by decreasing spread keeps the seeded order among equals.
  const order = speakers
    .map((s, i) => ({ s, i }))
    .sort((a, b) => spread.get(b.s)! - spread.get(a.s)! || a.i - b.i);
  const foldCounts = Array.from({ length: k }, () => new Array<number>(labels.length).fill(0));
  const foldOfSpeaker = new Map<string, number>();
  for (const { s } of order) {
    const row = counts.get(s)!;
    let best = -1;
    let bestEval = Infinity;
    let bestSize = Infinity;
    for (let f = 0; f < k; f++) {
      const perClass = labels.map((_, c) =>
        std(foldCounts.map((fc, g) => (fc[c] + (g === f ? row[c] : 0)) / labelTotals[c])),
      );
      const evaluation = perClass.reduce((a, b) => a + b, 0) / perClass.length;
      const size = foldCounts[f].reduce((a, b) => a + b, 0);
      if (evaluation < bestEval - 1e-12 || (Math.abs(evaluation - bestEval) <= 1e-12 && size < bestSize)) {
        best = f;
        bestEval = evaluation;
        bestSize = size;
      }
    }
    foldCounts[best] = foldCounts[best].map((v, c) => v + row[c]);
    foldOfSpeaker.set(s, best);
  }
  return foldsFromAssignment(
    items,
    (item) => foldOfSpeaker.get(speakerKey(item))!,
    Array.from({ length: k }, (_, i) => `fold ${i + 1}/${k}`),
  );
}

/**
 * Leave-one-speaker-out: one partition per speaker (sorted by `corpus/speaker`), that speaker in test.
 *
 * @throws EmovoxInputError when an item has no speaker or there are fewer than 2 speakers
 */
export function leaveOneSpeakerOut<T extends SplitItem>(items: readonly T[]): SplitPartition<T>[] {
  const speakers = [...new Set(items.map(speakerKey))].sort();
  if (speakers.length < 2) throw new EmovoxInputError('leaveOneSpeakerOut', 'needs at least 2 speakers');
  const index = new Map(speakers.map((s, i) => [s, i]));
  return foldsFromAssignment(
    items,
    (item) => index.get(speakerKey(item))!,
    speakers.map((s) => `speaker ${s}`),
  );
}

/**
 * Leave-one-session-out (e.g. IEMOCAP's 5 sessions): one partition per `corpus/session`.
 *
 * @throws EmovoxInputError when an item has no `session` or there are fewer than 2 sessions
 */
export function leaveOneSessionOut<T extends SplitItem>(items: readonly T[]): SplitPartition<T>[] {
  const sessionOf = (item: T): string => {
    if (!item.session)
      throw new EmovoxInputError(
        `${item.corpus} item`,
        'has no session; leave-one-session-out needs sessions',
      );
    return `${item.corpus}/${item.session}`;
  };
  const sessions = [...new Set(items.map(sessionOf))].sort();
  if (sessions.length < 2) throw new EmovoxInputError('leaveOneSessionOut', 'needs at least 2 sessions');
  const index = new Map(sessions.map((s, i) => [s, i]));
  const folds = foldsFromAssignment(
    items,
    (item) => index.get(sessionOf(item))!,
    sessions.map((s) => `session ${s}`),
  );
  // Sessions are speaker-disjoint only when speakers never span sessions (true for IEMOCAP).
  for (const fold of folds) {
    const train = new Set(fold.train.filter((i) => i.speaker !== '').map(speakerKey));
    fold.leaksSpeakers = fold.test.some((i) => i.speaker !== '' && train.has(speakerKey(i)));
    if (fold.leaksSpeakers)
      fold.warning = 'speakers appear in more than one session: this split leaks speakers';
  }
  return folds;
}

/**
 * Predefined speaker folds: each fold lists the speakers of its test partition, as plain speaker
 * ids (`Actor_01`) or `corpus/speaker` keys. Every item's speaker must be in exactly one fold.
 *
 * @param items items to split
 * @param folds speaker lists, e.g. `RAVDESS_FOLDS`
 * @throws EmovoxInputError when a speaker is in two folds or an item's speaker is in none
 */
export function predefinedFolds<T extends SplitItem>(
  items: readonly T[],
  folds: readonly (readonly string[])[],
): SplitPartition<T>[] {
  const foldOf = new Map<string, number>();
  folds.forEach((speakers, index) => {
    for (const speaker of speakers) {
      if (foldOf.has(speaker))
        throw new EmovoxInputError('predefinedFolds', `speaker ${speaker} is in two folds`);
      foldOf.set(speaker, index);
    }
  });
  const lookup = (item: T): number => {
    const fold = foldOf.get(speakerKey(item)) ?? foldOf.get(item.speaker);
    if (fold === undefined) {
      throw new EmovoxInputError('predefinedFolds', `speaker ${speakerKey(item)} is in none of the folds`);
    }
    return fold;
  };
  return foldsFromAssignment(
    items,
    lookup,
    folds.map((_, i) => `fold ${i + 1}/${folds.length}`),
  );
}

/**
 * RAVDESS's standard 6 speaker-independent folds (`RAVDESS_FOLDS`) over RAVDESS items.
 *
 * @throws EmovoxInputError when an item is not from RAVDESS
 */
export function ravdessFolds<T extends SplitItem>(items: readonly T[]): SplitPartition<T>[] {
  const other = items.find((i) => i.corpus !== 'ravdess');
  if (other)
    throw new EmovoxInputError(
      'ravdessFolds',
      `item from ${other.corpus}; RAVDESS folds apply to RAVDESS only`,
    );
  return predefinedFolds(items, RAVDESS_FOLDS);
}

/** Options of `speakerSplit`. */
export interface SpeakerSplitOptions {
  /** Target fraction of items in test (default 0.2). */
  test?: number;
  /** Target fraction of items in validation (default 0.1). */
  val?: number;
  /** PRNG seed (default 0). */
  seed?: number;
}

/**
 * Train / validation / test split with disjoint speakers: speakers, in seeded random order,
 * largest first, each go to the partition furthest below its target item count. Fractions are
 * met as closely as whole speakers allow.
 *
 * @param items items with speakers
 * @param options `test` (0.2), `val` (0.1), `seed` (0)
 * @throws EmovoxInputError when a requested partition ends up without speakers (too few speakers)
 */
export function speakerSplit<T extends SplitItem>(
  items: readonly T[],
  options: SpeakerSplitOptions = {},
): SplitPartition<T> {
  const test = options.test ?? 0.2;
  const val = options.val ?? 0.1;
  checkFraction('test', test);
  checkFraction('val', val);
  if (test + val >= 1) throw new EmovoxInputError('speakerSplit', 'test + val must be below 1');
  const sizes = new Map<string, number>();
  for (const item of items) sizes.set(speakerKey(item), (sizes.get(speakerKey(item)) ?? 0) + 1);
  const speakers = shuffled([...sizes.keys()].sort(), mulberry32(options.seed ?? 0))
    .map((s, i) => ({ s, i }))
    .sort((a, b) => sizes.get(b.s)! - sizes.get(a.s)! || a.i - b.i)
    .map(({ s }) => s);
  const roles = ['train', 'val', 'test'] as const;
  const target = {
    train: (1 - test - val) * items.length,
    val: val * items.length,
    test: test * items.length,
  };
  const filled = { train: 0, val: 0, test: 0 };
  const roleOf = new Map<string, (typeof roles)[number]>();
  for (const speaker of speakers) {
    // Relative deficit, so a small partition with nothing yet outranks a big one slightly behind.
    let best: (typeof roles)[number] = 'train';
    let bestDeficit = -Infinity;
    for (const role of roles) {
      if (target[role] === 0) continue;
      const deficit = (target[role] - filled[role]) / target[role];
      if (deficit > bestDeficit) {
        best = role;
        bestDeficit = deficit;
      }
    }
    roleOf.set(speaker, best);
    filled[best] += sizes.get(speaker)!;
  }
  const out: SplitPartition<T> = {
    name: 'speaker split',
    train: [],
    val: [],
    test: [],
    leaksSpeakers: false,
  };
  for (const item of items) out[roleOf.get(speakerKey(item))!].push(item);
  for (const role of roles) {
    if (target[role] > 0 && out[role].length === 0) {
      throw new EmovoxInputError('speakerSplit', `${speakers.length} speakers are too few: ${role} is empty`);
    }
  }
  out.testSpeakers = [...new Set(out.test.map(speakerKey))].sort();
  return out;
}

/** Options of `corpusHeldOut`. */
export interface CorpusHeldOutOptions {
  /** Corpora whose items form the test partition. */
  test: readonly string[];
  /** Corpora used for training (default: every corpus not in `test`). */
  train?: readonly string[];
}

/**
 * Cross-corpus protocol: train on some corpora, test on others.
 *
 * @throws EmovoxInputError when a corpus is in both lists or a partition is empty
 */
export function corpusHeldOut<T extends SplitItem>(
  items: readonly T[],
  options: CorpusHeldOutOptions,
): SplitPartition<T> {
  const test = new Set(options.test);
  const train = options.train ? new Set(options.train) : undefined;
  for (const c of test)
    if (train?.has(c)) throw new EmovoxInputError('corpusHeldOut', `corpus ${c} is in train and test`);
  const out: SplitPartition<T> = {
    name: `held-out ${[...test].join('+')}`,
    train: [],
    val: [],
    test: [],
    leaksSpeakers: false,
  };
  for (const item of items) {
    if (test.has(item.corpus)) out.test.push(item);
    else if (!train || train.has(item.corpus)) out.train.push(item);
  }
  if (out.test.length === 0 || out.train.length === 0) {
    throw new EmovoxInputError(
      'corpusHeldOut',
      `empty ${out.test.length === 0 ? 'test' : 'train'} partition`,
    );
  }
  return out;
}
