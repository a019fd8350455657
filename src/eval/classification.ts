import { EmovoxParameterError } from '../util/errors.js';
import { calibrationBins, eceFromBins, logLoss, type CalibrationBin } from './calibration.js';
import { numpyMean, numpyWeightedMean } from './sum.js';
import { checkClassIndices, checkLabels, checkLength, checkProbabilities } from './validate.js';

/** Scores of one class. */
export interface ClassScores {
  label: string;
  /** tp / (tp + fp); 0 when the class is never predicted (scikit-learn's zero_division=0). */
  precision: number;
  /** tp / (tp + fn); 0 when the class has no true examples (support 0). */
  recall: number;
  /** 2 P R / (P + R); 0 when P + R = 0. */
  f1: number;
  /** Number of true examples of the class. */
  support: number;
  /** Number of examples predicted as the class (column sum of the confusion matrix). */
  predicted: number;
}

/**
 * Single-label classification metrics, computed from predictions only. Definitions match
 * scikit-learn 1.2 (`accuracy_score`, `balanced_accuracy_score`,
 * `precision_recall_fscore_support(zero_division=0)`, `confusion_matrix`, `log_loss`), checked by
 * a golden test.
 *
 * Averages run over the *active* classes: those that occur in the truth or in the predictions
 * (scikit-learn's default `labels=None`). A class absent from both has no defined score and is
 * left out of every average; its `perClass` row holds zeros.
 */
export interface ClassificationMetrics {
  /** Class names; index k of `truth`/`predicted` is `labels[k]`. */
  labels: string[];
  /** Number of examples. */
  n: number;
  /** Accuracy ("weighted accuracy", WA, in SER papers): correct / n. */
  wa: number;
  /**
   * Unweighted accuracy (UA, SER papers' name for balanced accuracy): the mean of per-class
   * recall over the classes with support > 0, as `sklearn.metrics.balanced_accuracy_score`.
   * Classes that are only predicted, never true, add no term (their false positives still lower
   * the recall of the true classes).
   */
  ua: number;
  /** Unweighted mean of per-class F1 over the active classes. */
  macroF1: number;
  /** Support-weighted mean of per-class F1. */
  weightedF1: number;
  /** Unweighted mean of per-class precision over the active classes. */
  macroPrecision: number;
  /** Unweighted mean of per-class recall over the active classes (equals `ua` when every predicted class is also true). */
  macroRecall: number;
  /** Support-weighted mean of per-class precision. */
  weightedPrecision: number;
  /** Support-weighted mean of per-class recall (equals `wa`). */
  weightedRecall: number;
  /** One entry per class of `labels`, in that order. */
  perClass: ClassScores[];
  /** Counts, `confusion[true][predicted]`, labels.length x labels.length. */
  confusion: number[][];
  /** Expected calibration error (top label, equal-width bins) when probabilities were given. */
  ece?: number;
  /** Mean negative log-likelihood of the true class (natural log) when probabilities were given. */
  logLoss?: number;
  /** Per-bin calibration statistics behind `ece` (for reliability diagrams and pooling folds). */
  calibration?: CalibrationBin[];
}

/** Options of {@link classificationMetrics}. */
export interface ClassificationOptions {
  /** Class probabilities, row-major [n, labels.length], rows summing to 1 (softmax outputs). */
  probabilities?: Float32Array | Float64Array;
  /** Number of equal-width confidence bins for ECE. Default 15. */
  bins?: number;
}

/**
 * Metrics of single-label predictions.
 *
 * @param truth true class index per example (integers in [0, labels.length)), length n >= 1
 * @param predicted predicted class index per example, length n
 * @param labels class names, unique
 * @param options `probabilities` adds `ece`, `calibration` and `logLoss`
 * @throws EmovoxParameterError on mismatched lengths, out-of-range indices, bad probabilities
 * @example
 * ```ts
 * import { classificationMetrics } from 'emovox';
 *
 * const labels = ['angry', 'happy', 'neutral', 'sad'];
 * const m = classificationMetrics([0, 1, 2, 3, 3], [0, 1, 2, 3, 2], labels);
 * console.log(m.wa, m.ua); // 0.8 0.875: one of the two sad examples was called neutral
 * ```
 */
export function classificationMetrics(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  labels: readonly string[],
  options: ClassificationOptions = {},
): ClassificationMetrics {
  checkLabels(labels);
  const k = labels.length;
  const n = truth?.length;
  if (typeof n !== 'number' || n < 1)
    throw new EmovoxParameterError('truth', 'must hold at least one class index');
  checkLength(predicted, n, 'predicted', 'one prediction per true label');
  checkClassIndices(truth, k, 'truth');
  checkClassIndices(predicted, k, 'predicted');
  const confusion = confusionMatrix(truth, predicted, k);
  const metrics = metricsFromConfusion(confusion, labels);
  if (options.probabilities !== undefined) {
    checkProbabilities(options.probabilities, n, k);
    const bins = calibrationBins(options.probabilities, truth, k, options.bins);
    metrics.calibration = bins;
    metrics.ece = eceFromBins(bins);
    metrics.logLoss = logLoss(options.probabilities, truth, k);
  }
  return metrics;
}

/** Confusion matrix counts `[true][predicted]` of class indices in [0, classes). */
export function confusionMatrix(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
): number[][] {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) confusion[truth[i]][predicted[i]]++;
  return confusion;
}

/**
 * Every metric of {@link ClassificationMetrics} that a confusion matrix determines (all but the
 * probability-based ones). Used to pool folds: the sum of the folds' confusion matrices gives
 * the metrics of all predictions concatenated.
 *
 * @param confusion counts `[true][predicted]`, square, labels.length rows, total >= 1
 */
export function metricsFromConfusion(
  confusion: readonly (readonly number[])[],
  labels: readonly string[],
): ClassificationMetrics {
  checkLabels(labels);
  const k = labels.length;
  if (
    !Array.isArray(confusion) ||
    confusion.length !== k ||
    confusion.some((row) => !Array.isArray(row) || row.length !== k)
  ) {
    throw new EmovoxParameterError(
      'confusion',
      `must be a ${k} x ${k} array of counts (one row and column per label)`,
    );
  }
  let n = 0;
  let correct = 0;
  const support = new Array<number>(k).fill(0);
  const predictedCount = new Array<number>(k).fill(0);
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const c = confusion[t][p];
      if (!Number.isInteger(c) || c < 0) {
        throw new EmovoxParameterError(
          'confusion',
          `entry [${t}][${p}] is ${c}; counts must be non-negative integers`,
        );
      }
      n += c;
      support[t] += c;
      predictedCount[p] += c;
      if (t === p) correct += c;
    }
  }
  if (n < 1) throw new EmovoxParameterError('confusion', 'holds no examples');

  const perClass: ClassScores[] = labels.map((label, c) => {
    const tp = confusion[c][c];
    const precision = predictedCount[c] === 0 ? 0 : tp / predictedCount[c];
    const recall = support[c] === 0 ? 0 : tp / support[c];
    // scikit-learn 1.2's form (2 P R / (P + R)), so values agree to the last bit.
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support: support[c], predicted: predictedCount[c] };
  });
  const active = perClass.filter((s) => s.support > 0 || s.predicted > 0);
  const supported = perClass.filter((s) => s.support > 0);
  const weights = active.map((s) => s.support);
  const column = (key: 'precision' | 'recall' | 'f1'): number[] => active.map((s) => s[key]);
  return {
    labels: [...labels],
    n,
    wa: correct / n,
    ua: numpyMean(supported.map((s) => s.recall)),
    macroF1: numpyMean(column('f1')),
    weightedF1: numpyWeightedMean(column('f1'), weights),
    macroPrecision: numpyMean(column('precision')),
    macroRecall: numpyMean(column('recall')),
    weightedPrecision: numpyWeightedMean(column('precision'), weights),
    weightedRecall: numpyWeightedMean(column('recall'), weights),
    perClass,
    confusion: confusion.map((row) => [...row]),
  };
}
