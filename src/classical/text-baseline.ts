// The classical text baseline: TF-IDF features + logistic regression, C chosen on a validation set.
import { classificationMetrics, type ClassificationMetrics } from '../eval/index.js';
import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import { LogisticRegression, type LogisticJson } from './logistic.js';
import { TfidfVectorizer, type TfidfJson, type TfidfOptions } from './tfidf.js';

/** Texts with their class names. */
export interface LabelledTexts {
  texts: readonly string[];
  labels: readonly string[];
}

/** Metric a validation set selects C by. */
export type SelectionMetric = 'weightedF1' | 'macroF1' | 'ua' | 'wa';

/** Options of {@link fitTextBaseline}. */
export interface TextBaselineOptions {
  /** TF-IDF settings (default char 2-5-grams, sublinear tf, scikit-learn's other defaults). */
  tfidf?: TfidfOptions;
  /** Values of C tried on the validation set (default 0.5, 1, 2, 4, 8, 16, 32). */
  cs?: readonly number[];
  /** 'balanced' class weights (default none). */
  classWeight?: 'balanced' | null;
  /** What the validation set maximises (default 'weightedF1', MELD's headline metric). */
  select?: SelectionMetric;
  /** Class names in output order (default: sorted names of the training labels). */
  classes?: readonly string[];
  /** Relative gradient tolerance of each fit (default 1e-4, see `LogisticOptions.tol`). */
  tol?: number;
  /** Logistic-regression optimiser (default 'newton-cg'; see `LogisticOptions.solver`). */
  solver?: 'newton-cg' | 'lbfgs';
  /** Called after each C with its validation scores (progress). */
  onCandidate?: (c: number, validation: ClassificationMetrics) => void;
}

/** A fitted baseline: the vectoriser and the classifier, as plain JSON. */
export interface TextBaselineModel {
  type: 'emovox-text-baseline';
  version: 1;
  classes: string[];
  tfidf: TfidfJson;
  logistic: LogisticJson;
}

/** What {@link fitTextBaseline} returns. */
export interface TextBaselineResult {
  classes: string[];
  /** The chosen C. */
  c: number;
  /** Validation metrics of each C tried, in order. */
  candidates: Array<{ c: number; validation: ClassificationMetrics }>;
  /** Validation metrics of the chosen C. */
  validation: ClassificationMetrics;
  /** Test metrics of the chosen C (when a test set was given). */
  test?: ClassificationMetrics;
  model: TextBaselineModel;
}

/** Default TF-IDF of the baseline: character 2-5-grams, sublinear tf, l2 rows. */
export const BASELINE_TFIDF: TfidfOptions = { analyzer: 'char', ngramRange: [2, 5], sublinearTf: true };

function encode(labels: readonly string[], classes: readonly string[], what: string): Int32Array {
  const index = new Map(classes.map((c, i) => [c, i]));
  return Int32Array.from(labels, (l) => {
    const i = index.get(l);
    if (i === undefined) throw new EmovoxInputError(what, `label "${l}" is not one of ${classes.join(', ')}`);
    return i;
  });
}

/**
 * Fits TF-IDF on the training texts only, trains a multinomial logistic regression for each C
 * (ascending, warm-started), picks the C with the best validation score (`select`, ties to the
 * smaller C) and reports the
 * chosen model's validation and test metrics. The test set is never used for a choice.
 * @throws EmovoxInputError for empty sets or labels outside `classes`.
 */
export function fitTextBaseline(
  train: LabelledTexts,
  validation: LabelledTexts,
  test: LabelledTexts | null = null,
  options: TextBaselineOptions = {},
): TextBaselineResult {
  if (train.texts.length === 0 || validation.texts.length === 0)
    throw new EmovoxInputError('text baseline', 'needs training and validation texts');
  for (const [name, set] of [
    ['train', train],
    ['validation', validation],
    ['test', test],
  ] as const)
    if (set && set.texts.length !== set.labels.length)
      throw new EmovoxInputError(name, `${set.texts.length} texts but ${set.labels.length} labels`);
  const classes = [...(options.classes ?? [...new Set(train.labels)].sort())];
  const cs = options.cs ?? [0.5, 1, 2, 4, 8, 16, 32];
  if (cs.length === 0 || cs.some((c) => !(c > 0)))
    throw new EmovoxParameterError('cs', 'must be a non-empty list of numbers > 0');
  const select = options.select ?? 'weightedF1';
  const tfidf = new TfidfVectorizer(options.tfidf ?? BASELINE_TFIDF);
  const xTrain = tfidf.fitTransform(train.texts);
  const yTrain = encode(train.labels, classes, 'train');
  const xVal = tfidf.transform(validation.texts);
  const yVal = encode(validation.labels, classes, 'validation');
  const candidates: TextBaselineResult['candidates'] = [];
  let best: {
    c: number;
    model: LogisticRegression;
    score: number;
    validation: ClassificationMetrics;
  } | null = null;
  let previous: LogisticRegression | null = null;
  // Ascending C, each fit warm-started from the previous solution (a regularisation path).
  for (const c of [...cs].sort((a, b) => a - b)) {
    const model = new LogisticRegression({
      C: c,
      classWeight: options.classWeight ?? null,
      tol: options.tol,
      solver: options.solver,
    });
    model.fit(xTrain, yTrain, classes.length, previous ?? undefined);
    previous = model;
    const metrics = classificationMetrics(yVal, model.predict(xVal), classes, {
      probabilities: model.predictProba(xVal),
    });
    candidates.push({ c, validation: metrics });
    options.onCandidate?.(c, metrics);
    if (!best || metrics[select] > best.score)
      best = { c, model, score: metrics[select], validation: metrics };
  }
  const chosen = best!;
  let testMetrics: ClassificationMetrics | undefined;
  if (test) {
    const xTest = tfidf.transform(test.texts);
    testMetrics = classificationMetrics(
      encode(test.labels, classes, 'test'),
      chosen.model.predict(xTest),
      classes,
      {
        probabilities: chosen.model.predictProba(xTest),
      },
    );
  }
  return {
    classes,
    c: chosen.c,
    candidates,
    validation: chosen.validation,
    ...(testMetrics ? { test: testMetrics } : {}),
    model: {
      type: 'emovox-text-baseline',
      version: 1,
      classes,
      tfidf: tfidf.toJSON(),
      logistic: chosen.model.toJSON(),
    },
  };
}

/**
 * Class probabilities of new texts from a saved baseline, row-major [texts, classes].
 * @param preprocess - the TF-IDF preprocess function it was fitted with, if any.
 */
export function predictTextBaseline(
  model: TextBaselineModel,
  texts: readonly string[],
  preprocess: ((text: string) => string) | null = null,
): Float32Array {
  const tfidf = TfidfVectorizer.fromJSON(model.tfidf, preprocess);
  return LogisticRegression.fromJSON(model.logistic).predictProba(tfidf.transform(texts));
}
