import { EmovoxParameterError } from '../util/errors.js';
import { numpyMean, numpyWeightedMean } from './sum.js';
import { checkLabels } from './validate.js';

/** Scores of one label of a multi-label task. */
export interface LabelScores {
  label: string;
  /** tp / (tp + fp); 0 when the label is never predicted. */
  precision: number;
  /** tp / (tp + fn); 0 when the label is never present. */
  recall: number;
  /** 2 P R / (P + R); 0 when P + R = 0. */
  f1: number;
  /** Examples where the label is present in the truth. */
  support: number;
  /** Examples where the label is predicted. */
  predicted: number;
  /** Binary accuracy of this label: (tp + tn) / n. */
  accuracy: number;
  /**
   * "Weighted accuracy" as CMU-MOSEI emotion papers report it (Tong et al. 2017):
   * (tp · N/P + tn) / (2N) with P positives and N negatives, i.e. (TPR + TNR) / 2, the balanced
   * accuracy of the label. When the truth holds only one class, the mean recall over that class.
   */
  weightedAccuracy: number;
}

/** Multi-label classification metrics (CMU-MOSEI emotions: several emotions per utterance). */
export interface MultilabelMetrics {
  labels: string[];
  n: number;
  perLabel: LabelScores[];
  /** F1 of all labels' counts pooled (`average='micro'`). */
  microF1: number;
  microPrecision: number;
  microRecall: number;
  /** Unweighted mean of per-label F1 over all labels (`average='macro'`). */
  macroF1: number;
  /** Support-weighted mean of per-label F1 (`average='weighted'`). */
  weightedF1: number;
  /** Mean over examples of each example's F1 between its true and predicted label sets (`average='samples'`); an example with both sets empty scores 0. */
  samplesF1: number;
  /** Share of examples whose predicted label set equals the true set exactly. */
  subsetAccuracy: number;
  /** Share of wrong (example, label) decisions. */
  hammingLoss: number;
  /** Mean over labels of `weightedAccuracy`. */
  meanWeightedAccuracy: number;
}

function checkIndicator(values: ArrayLike<number>, size: number, name: string): void {
  if (values == null || values.length !== size) {
    throw new EmovoxParameterError(name, `must hold n * labels = ${size} values (row-major 0/1 indicators)`);
  }
  for (let i = 0; i < size; i++) {
    if (values[i] !== 0 && values[i] !== 1)
      throw new EmovoxParameterError(name, `value ${i} is ${values[i]}; indicators must be 0 or 1`);
  }
}

function prf(tp: number, predicted: number, support: number): [number, number, number] {
  const p = predicted === 0 ? 0 : tp / predicted;
  const r = support === 0 ? 0 : tp / support;
  return [p, r, p + r === 0 ? 0 : (2 * p * r) / (p + r)];
}

/**
 * Turns scores into 0/1 indicators: 1 where score >= threshold.
 *
 * @param scores any real scores (probabilities from sigmoids, intensities)
 * @param threshold default 0.5 (MOSEI emotions: presence when intensity > 0, i.e. pass a tiny positive threshold)
 */
export function thresholdScores(scores: ArrayLike<number>, threshold = 0.5): Uint8Array {
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] >= threshold ? 1 : 0;
  return out;
}

/**
 * Multi-label metrics from 0/1 indicator matrices. Definitions match scikit-learn 1.2 on
 * indicator arrays (`precision_recall_fscore_support` with average None/micro/macro/weighted/
 * samples and zero_division=0, `accuracy_score` = subset accuracy, `hamming_loss`,
 * `balanced_accuracy_score` per label), checked by a golden test.
 *
 * @param truth row-major [n, labels.length] indicators (1 = label present)
 * @param predicted same shape
 * @param labels label names
 */
export function multilabelMetrics(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  labels: readonly string[],
): MultilabelMetrics {
  checkLabels(labels);
  const k = labels.length;
  if (truth == null || truth.length === 0 || truth.length % k !== 0) {
    throw new EmovoxParameterError('truth', `must hold n * ${k} indicators (n >= 1, row-major [n, labels])`);
  }
  const n = truth.length / k;
  checkIndicator(truth, n * k, 'truth');
  checkIndicator(predicted, n * k, 'predicted');
  const tp = new Array<number>(k).fill(0);
  const support = new Array<number>(k).fill(0);
  const predictedCount = new Array<number>(k).fill(0);
  const tn = new Array<number>(k).fill(0);
  let exact = 0;
  let wrong = 0;
  const sampleF1 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let rowExact = true;
    let rowTp = 0;
    let rowTrue = 0;
    let rowPred = 0;
    for (let j = 0; j < k; j++) {
      const t = truth[i * k + j];
      const p = predicted[i * k + j];
      support[j] += t;
      predictedCount[j] += p;
      if (t === 1 && p === 1) tp[j]++;
      if (t === 0 && p === 0) tn[j]++;
      if (t !== p) {
        rowExact = false;
        wrong++;
      }
      rowTp += t & p;
      rowTrue += t;
      rowPred += p;
    }
    if (rowExact) exact++;
    sampleF1[i] = prf(rowTp, rowPred, rowTrue)[2];
  }
  const perLabel: LabelScores[] = labels.map((label, j) => {
    const [precision, recall, f1] = prf(tp[j], predictedCount[j], support[j]);
    const positives = support[j];
    const negatives = n - positives;
    const rates: number[] = [];
    if (negatives > 0) rates.push(tn[j] / negatives);
    if (positives > 0) rates.push(tp[j] / positives);
    return {
      label,
      precision,
      recall,
      f1,
      support: positives,
      predicted: predictedCount[j],
      accuracy: (tp[j] + tn[j]) / n,
      weightedAccuracy: numpyMean(rates),
    };
  });
  const tpSum = tp.reduce((s, v) => s + v, 0);
  const [microPrecision, microRecall, microF1] = prf(
    tpSum,
    predictedCount.reduce((s, v) => s + v, 0),
    support.reduce((s, v) => s + v, 0),
  );
  const f1s = perLabel.map((l) => l.f1);
  const totalSupport = support.reduce((s, v) => s + v, 0);
  return {
    labels: [...labels],
    n,
    perLabel,
    microF1,
    microPrecision,
    microRecall,
    macroF1: numpyMean(f1s),
    // scikit-learn returns 0 when no label is ever present (zero_division=0).
    weightedF1: totalSupport === 0 ? 0 : numpyWeightedMean(f1s, support),
    samplesF1: numpyMean(sampleF1),
    subsetAccuracy: exact / n,
    hammingLoss: wrong / (n * k),
    meanWeightedAccuracy: numpyMean(perLabel.map((l) => l.weightedAccuracy)),
  };
}
