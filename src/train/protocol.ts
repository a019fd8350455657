import {
  corpusHeldOut,
  leaveOneSessionOut,
  leaveOneSpeakerOut,
  randomSplit,
  ravdessFolds,
  speakerKFold,
  type CorpusItem,
  type SplitPartition,
} from '../corpora/index.js';
import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import { deriveSeed, mulberry32, shuffled } from '../util/random.js';
import type { Recipe } from './recipe.js';

/** One fold of a protocol: train, validation (from training speakers only) and test items. */
export interface Fold {
  /** 1-based fold number. */
  index: number;
  /** `fold 1/6`, `speaker ravdess/Actor_01`, `held-out tess`, ... */
  name: string;
  train: CorpusItem[];
  val: CorpusItem[];
  test: CorpusItem[];
  /** True when test speakers also occur in train (random splits). */
  leaksSpeakers: boolean;
  warning?: string;
  /** `corpus/speaker` keys of the test items. */
  testSpeakers: string[];
}

const key = (i: CorpusItem): string => `${i.corpus}/${i.speaker}`;

/** True when the protocol keeps test speakers out of training. */
export function isSpeakerIndependent(name: Recipe['protocol']['name']): boolean {
  return name !== 'random';
}

function officialSplit(items: readonly CorpusItem[]): SplitPartition<CorpusItem> {
  const out: SplitPartition<CorpusItem> = {
    name: 'official split',
    train: [],
    val: [],
    test: [],
    leaksSpeakers: false,
  };
  for (const item of items) {
    const split = (item.split ?? '').toLowerCase();
    if (split === 'train' || split === 'training') out.train.push(item);
    else if (['dev', 'val', 'valid', 'validation', 'evaluation'].includes(split)) out.val.push(item);
    else if (split === 'test') out.test.push(item);
    else
      throw new EmovoxParameterError(
        'protocol.name',
        `official: ${item.path} has no train/dev/test split (its corpus ships none)`,
      );
  }
  const trainSpeakers = new Set(out.train.filter((i) => i.speaker !== '').map(key));
  out.leaksSpeakers = out.test.some((i) => i.speaker !== '' && trainSpeakers.has(key(i)));
  return out;
}

/**
 * Validation items from the training part of a fold: whole speakers (a `valFraction` share of the
 * training speakers, at least one, alternating genders when known), or for items without
 * speakers / random splits a stratified share of items. Both seeded by (seed, fold).
 */
function carveValidation(
  train: CorpusItem[],
  fraction: number,
  seed: number,
  foldIndex: number,
  bySpeaker: boolean,
): { train: CorpusItem[]; val: CorpusItem[] } {
  if (fraction <= 0) return { train, val: [] };
  const random = mulberry32(deriveSeed(seed, foldIndex, 31));
  if (!bySpeaker || train.some((i) => i.speaker === '')) {
    const split = randomSplit(train, { test: fraction, seed: deriveSeed(seed, foldIndex, 37) });
    return { train: split.train, val: split.test };
  }
  const gender = new Map(train.map((i) => [key(i), i.gender ?? '']));
  const chosen = new Set<string>();
  const carve = (speakers: string[]) => {
    if (speakers.length < 2) return;
    const count = Math.min(speakers.length - 1, Math.max(1, Math.round(fraction * speakers.length)));
    const order = shuffled(speakers, random);
    const groups = [...new Set(order.map((s) => gender.get(s)!))].sort();
    const queues = groups.map((g) => order.filter((s) => gender.get(s) === g));
    for (let turn = 0, taken = 0; taken < count; turn++) {
      const q = queues[turn % queues.length];
      if (q.length > 0) {
        chosen.add(q.shift()!);
        taken++;
      }
    }
  };
  const corpora = [...new Set(train.map((i) => i.corpus))].sort();
  // Several corpora: each gives its own share of speakers and keeps at least one for training,
  // so a corpus with few speakers (TESS has 2) never moves wholly into validation and takes
  // classes the other corpora lack out of training.
  for (const corpus of corpora) carve([...new Set(train.filter((i) => i.corpus === corpus).map(key))].sort());
  if (chosen.size === 0) return { train, val: [] };
  return { train: train.filter((i) => !chosen.has(key(i))), val: train.filter((i) => chosen.has(key(i))) };
}

/**
 * The folds of a recipe's protocol over label-mapped items.
 * @param evalItems - items of the `eval` corpora (split by the protocol).
 * @param trainOnly - items of `train` corpora, added to every fold's training set.
 * @param classes - the class list; every fold's training set must hold each class, and with
 *   `requireAllClasses` every test set too.
 * @throws EmovoxParameterError / EmovoxInputError naming the protocol key and the fold.
 */
export function makeFolds(
  evalItems: readonly CorpusItem[],
  trainOnly: readonly CorpusItem[],
  recipe: Recipe,
  classes: readonly string[],
): Fold[] {
  const p = recipe.protocol;
  const wrap = <T>(f: () => T): T => {
    try {
      return f();
    } catch (error) {
      if (error instanceof EmovoxInputError && !(error instanceof EmovoxParameterError)) {
        throw new EmovoxParameterError(`protocol (${p.name})`, error.message);
      }
      throw error;
    }
  };
  let partitions: SplitPartition<CorpusItem>[];
  switch (p.name) {
    case 'folds:ravdess6':
      partitions = wrap(() => ravdessFolds(evalItems));
      break;
    case 'speaker-kfold':
      partitions = wrap(() => speakerKFold(evalItems, { k: p.k, seed: recipe.seed }));
      break;
    case 'loso':
      partitions = wrap(() => leaveOneSpeakerOut(evalItems));
      break;
    case 'loso-session':
      partitions = wrap(() => leaveOneSessionOut(evalItems));
      break;
    case 'corpus-holdout':
      if (p.testCorpora.length === 0)
        throw new EmovoxParameterError('protocol.testCorpora', 'corpus-holdout needs the test corpora');
      partitions = [wrap(() => corpusHeldOut(evalItems, { test: p.testCorpora }))];
      break;
    case 'official':
      partitions = [officialSplit(evalItems)];
      break;
    case 'random':
      partitions = [randomSplit(evalItems, { test: p.testFraction, seed: recipe.seed })];
      break;
  }
  const folds = partitions.map((part, i): Fold => {
    const index = i + 1;
    const hasVal = part.val.length > 0;
    const carved = hasVal
      ? { train: part.train, val: part.val }
      : carveValidation(part.train, p.valFraction, recipe.seed, index, p.name !== 'random');
    const fold: Fold = {
      index,
      name: part.name,
      train: [...carved.train, ...trainOnly],
      val: carved.val,
      test: part.test,
      leaksSpeakers: part.leaksSpeakers,
      testSpeakers: [...new Set(part.test.filter((t) => t.speaker !== '').map(key))].sort(),
      ...(part.warning ? { warning: part.warning } : {}),
    };
    return fold;
  });
  for (const fold of folds) checkFold(fold, recipe, classes);
  return folds;
}

/** The checks every fold must pass before any training (errors name the fold and the class). */
export function checkFold(fold: Fold, recipe: Recipe, classes: readonly string[]): void {
  const where = `protocol (${recipe.protocol.name}), ${fold.name}`;
  const has = (items: CorpusItem[]) => new Set(items.map((i) => i.label));
  if (fold.test.length === 0) throw new EmovoxParameterError(where, 'has no test items');
  const train = has(fold.train);
  const missingTrain = classes.filter((c) => !train.has(c));
  if (missingTrain.length > 0) {
    throw new EmovoxParameterError(
      where,
      `has no training items of class ${missingTrain.map((c) => `"${c}"`).join(', ')}`,
    );
  }
  if (recipe.protocol.requireAllClasses) {
    const test = has(fold.test);
    const missing = classes.filter((c) => !test.has(c));
    if (missing.length > 0) {
      throw new EmovoxParameterError(
        where,
        `has no test items of class ${missing.map((c) => `"${c}"`).join(', ')} (set protocol.requireAllClasses: false to score the classes present)`,
      );
    }
  }
  if (recipe.protocol.valFraction > 0 && fold.val.length === 0) {
    const speakers = [...new Set(fold.train.filter((i) => i.speaker !== '').map(key))];
    throw new EmovoxParameterError(
      where,
      speakers.length === 1
        ? `has a single training speaker (${speakers[0]}): validation needs speakers other than the training ones`
        : 'leaves no validation items (protocol.valFraction)',
    );
  }
}
