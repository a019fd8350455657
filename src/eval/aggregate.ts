import { EmovoxParameterError } from '../util/errors.js';
import { eceFromBins, type CalibrationBin } from './calibration.js';
import { metricsFromConfusion, type ClassificationMetrics } from './classification.js';
import { numpyMean, numpyStd } from './sum.js';

/**
 * Mean and standard deviation of a metric across folds. `std` is the *population* standard
 * deviation (divide by the number of folds, `np.std` with ddof = 0, as scikit-learn's
 * cross-validation summaries print), so a single fold has std 0. Every emovox report uses this.
 */
export interface MeanStd {
  mean: number;
  std: number;
}

/** Cross-fold summary returned by {@link aggregateFolds}. */
export interface FoldAggregate {
  /** Number of folds. */
  folds: number;
  ua: MeanStd;
  wa: MeanStd;
  macroF1: MeanStd;
  weightedF1: MeanStd;
  /** Present when every fold has an ECE. */
  ece?: MeanStd;
  /** Present when every fold has a log loss. */
  logLoss?: MeanStd;
  /**
   * Metrics of all folds' predictions concatenated (the sum of their confusion matrices). When
   * every fold has calibration bins of the same layout, pooled `ece`/`calibration` come from the
   * summed bins, and `logLoss` is the example-weighted mean of the folds' log losses.
   */
  pooled: ClassificationMetrics;
}

/** Mean and population std (ddof = 0) of values, in numpy's summation order. */
export function meanStd(values: readonly number[]): MeanStd {
  if (values.length === 0) throw new EmovoxParameterError('values', 'must hold at least one value');
  return { mean: numpyMean(values), std: numpyStd(values) };
}

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((label, i) => label === b[i]);
}

function poolBins(folds: readonly ClassificationMetrics[]): CalibrationBin[] | undefined {
  const first = folds[0].calibration;
  if (!first) return undefined;
  for (const fold of folds) {
    const bins = fold.calibration;
    if (
      !bins ||
      bins.length !== first.length ||
      bins.some((b, i) => b.lower !== first[i].lower || b.upper !== first[i].upper)
    ) {
      return undefined;
    }
  }
  return first.map((bin, i) => {
    let count = 0;
    let correct = 0;
    let confidenceSum = 0;
    for (const fold of folds) {
      const b = (fold.calibration as CalibrationBin[])[i];
      count += b.count;
      correct += b.correct;
      confidenceSum += b.confidenceSum;
    }
    return {
      lower: bin.lower,
      upper: bin.upper,
      count,
      correct,
      confidenceSum,
      meanConfidence: count === 0 ? 0 : confidenceSum / count,
      accuracy: count === 0 ? 0 : correct / count,
    };
  });
}

/**
 * Summary of cross-validation folds: mean and std of UA, WA, macro-F1 and weighted F1 over
 * folds (each fold counts once, whatever its size, as EmoBox reports), and the pooled metrics of
 * all predictions together.
 *
 * @param folds metrics of each fold, all over the same `labels` in the same order
 * @throws EmovoxParameterError for no folds or folds with different label lists
 */
export function aggregateFolds(folds: readonly ClassificationMetrics[]): FoldAggregate {
  if (!Array.isArray(folds) || folds.length === 0)
    throw new EmovoxParameterError('folds', 'must hold at least one fold');
  const labels = folds[0].labels;
  folds.forEach((fold, i) => {
    if (!sameLabels(fold.labels, labels)) {
      throw new EmovoxParameterError(
        'folds',
        `fold ${i} has labels [${fold.labels.join(', ')}], fold 0 has [${labels.join(', ')}]`,
      );
    }
  });
  const k = labels.length;
  const confusion = Array.from({ length: k }, (_, t) =>
    Array.from({ length: k }, (_, p) => folds.reduce((s, f) => s + f.confusion[t][p], 0)),
  );
  const pooled = metricsFromConfusion(confusion, labels);
  const bins = poolBins(folds);
  if (bins) {
    pooled.calibration = bins;
    pooled.ece = eceFromBins(bins);
  }
  const result: FoldAggregate = {
    folds: folds.length,
    ua: meanStd(folds.map((f) => f.ua)),
    wa: meanStd(folds.map((f) => f.wa)),
    macroF1: meanStd(folds.map((f) => f.macroF1)),
    weightedF1: meanStd(folds.map((f) => f.weightedF1)),
    pooled,
  };
  if (folds.every((f) => f.ece !== undefined)) result.ece = meanStd(folds.map((f) => f.ece as number));
  if (folds.every((f) => f.logLoss !== undefined)) {
    result.logLoss = meanStd(folds.map((f) => f.logLoss as number));
    pooled.logLoss = folds.reduce((s, f) => s + (f.logLoss as number) * f.n, 0) / pooled.n;
  }
  return result;
}
