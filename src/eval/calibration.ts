import { EmovoxParameterError } from '../util/errors.js';
import { numpyMean } from './sum.js';
import { checkClassCount, checkClassIndices, checkLogits, checkProbabilities } from './validate.js';

/**
 * Calibration statistics of one confidence bin (lower, upper]: how many examples had their top
 * probability in it, how many of those were right, and the sum of their top probabilities.
 */
export interface CalibrationBin {
  lower: number;
  upper: number;
  count: number;
  correct: number;
  confidenceSum: number;
  /** confidenceSum / count (0 for an empty bin). */
  meanConfidence: number;
  /** correct / count (0 for an empty bin). */
  accuracy: number;
}

/** Default number of ECE bins (Guo et al. 2017 use 15). */
export const DEFAULT_ECE_BINS = 15;

function checkBins(bins: number): void {
  if (!Number.isInteger(bins) || bins < 1)
    throw new EmovoxParameterError('bins', `must be an integer >= 1, got ${bins}`);
}

/** Bin edges as `np.linspace(0, 1, bins + 1)`: i * (1 / bins), the last exactly 1. */
function binEdges(bins: number): Float64Array {
  const edges = new Float64Array(bins + 1);
  const step = 1 / bins;
  for (let i = 0; i < bins; i++) edges[i] = i * step;
  edges[bins] = 1;
  return edges;
}

/**
 * Top-label calibration bins: each example's confidence is its largest probability (the first
 * one on ties, as `argmax`), it counts as correct when that class is the true one, and it falls in
 * the bin (edges[b], edges[b+1]] with edges = linspace(0, 1, bins + 1). A confidence of exactly 0
 * (impossible for a probability row) goes to the first bin.
 *
 * @param probabilities row-major [n, classes], rows summing to 1
 * @param truth true class index per example, length n
 * @param bins number of equal-width bins over [0, 1]; default 15
 */
export function calibrationBins(
  probabilities: Float32Array | Float64Array,
  truth: ArrayLike<number>,
  classes: number,
  bins = DEFAULT_ECE_BINS,
): CalibrationBin[] {
  checkClassCount(classes);
  checkBins(bins);
  const n = truth.length;
  if (n < 1) throw new EmovoxParameterError('truth', 'must hold at least one class index');
  checkClassIndices(truth, classes, 'truth');
  checkProbabilities(probabilities, n, classes);
  const edges = binEdges(bins);
  const count = new Array<number>(bins).fill(0);
  const correct = new Array<number>(bins).fill(0);
  const confidenceSum = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++)
      if (probabilities[i * classes + k] > probabilities[i * classes + best]) best = k;
    const confidence = probabilities[i * classes + best];
    let b = Math.min(bins - 1, Math.max(0, Math.ceil(confidence * bins) - 1));
    while (b > 0 && confidence <= edges[b]) b--;
    while (b < bins - 1 && confidence > edges[b + 1]) b++;
    count[b]++;
    confidenceSum[b] += confidence;
    if (best === truth[i]) correct[b]++;
  }
  return count.map((c, b) => ({
    lower: edges[b],
    upper: edges[b + 1],
    count: c,
    correct: correct[b],
    confidenceSum: confidenceSum[b],
    meanConfidence: c === 0 ? 0 : confidenceSum[b] / c,
    accuracy: c === 0 ? 0 : correct[b] / c,
  }));
}

/** ECE of calibration bins: sum over bins of (count / n) * |accuracy - mean confidence|. */
export function eceFromBins(bins: readonly CalibrationBin[]): number {
  let n = 0;
  for (const bin of bins) n += bin.count;
  if (n === 0) throw new EmovoxParameterError('bins', 'hold no examples');
  let ece = 0;
  for (const bin of bins) {
    if (bin.count === 0) continue;
    ece += (bin.count / n) * Math.abs(bin.correct / bin.count - bin.confidenceSum / bin.count);
  }
  return ece;
}

/**
 * Expected calibration error (Naeini et al. 2015; Guo et al. 2017), top-label form: the
 * example-weighted mean gap between accuracy and mean confidence over equal-width confidence bins.
 * 0 is perfectly calibrated; the value lies in [0, 1]. Bins as {@link calibrationBins}.
 *
 * @param probabilities row-major [n, classes], rows summing to 1
 * @param truth true class index per example
 * @param classes number of classes (columns)
 * @param bins number of equal-width bins; default 15
 */
export function expectedCalibrationError(
  probabilities: Float32Array | Float64Array,
  truth: ArrayLike<number>,
  classes: number,
  bins = DEFAULT_ECE_BINS,
): number {
  return eceFromBins(calibrationBins(probabilities, truth, classes, bins));
}

/**
 * Log loss (cross-entropy, natural log) of probabilities, as `sklearn.metrics.log_loss` 1.2 on
 * float64 input with `labels = 0..classes-1`: each probability is clipped to [eps, 1 - eps]
 * with eps = 2^-52, rows are renormalised, and the result is the mean of -log p[true class].
 *
 * @param probabilities row-major [n, classes]
 * @param truth true class index per example, length n >= 1
 */
export function logLoss(
  probabilities: Float32Array | Float64Array,
  truth: ArrayLike<number>,
  classes: number,
): number {
  checkClassCount(classes);
  const n = truth.length;
  if (n < 1) throw new EmovoxParameterError('truth', 'must hold at least one class index');
  checkClassIndices(truth, classes, 'truth');
  checkProbabilities(probabilities, n, classes);
  const eps = Number.EPSILON;
  const losses = new Float64Array(n);
  const row = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < classes; k++)
      row[k] = Math.min(1 - eps, Math.max(eps, probabilities[i * classes + k]));
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += row[k];
    losses[i] = -Math.log(row[truth[i]] / sum);
  }
  return numpyMean(losses);
}

/** Lowest temperature {@link fitTemperature} returns. */
export const MIN_TEMPERATURE = 0.01;
/** Highest temperature {@link fitTemperature} returns. */
export const MAX_TEMPERATURE = 100;

/** Mean NLL of softmax(beta * logits) and its first two derivatives in beta. */
function nllAndDerivatives(
  logits: Float32Array | Float64Array,
  truth: ArrayLike<number>,
  classes: number,
  beta: number,
): [number, number, number] {
  const n = truth.length;
  let nll = 0;
  let d1 = 0;
  let d2 = 0;
  for (let i = 0; i < n; i++) {
    const o = i * classes;
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, beta * logits[o + k]);
    let z = 0;
    let mean = 0;
    let meanSq = 0;
    for (let k = 0; k < classes; k++) {
      const e = Math.exp(beta * logits[o + k] - max);
      z += e;
      mean += e * logits[o + k];
      meanSq += e * logits[o + k] * logits[o + k];
    }
    mean /= z;
    meanSq /= z;
    nll += max + Math.log(z) - beta * logits[o + truth[i]];
    d1 += mean - logits[o + truth[i]];
    d2 += Math.max(0, meanSq - mean * mean);
  }
  return [nll / n, d1 / n, d2 / n];
}

/**
 * Mean negative log-likelihood (natural log) of the true classes under softmax(logits / T).
 *
 * @param logits row-major [n, classes]
 * @param temperature T > 0
 */
export function temperatureNll(
  logits: Float32Array | Float64Array,
  truth: ArrayLike<number>,
  classes: number,
  temperature: number,
): number {
  checkTemperatureInputs(logits, truth, classes);
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new EmovoxParameterError('temperature', `must be a finite number > 0, got ${temperature}`);
  }
  return nllAndDerivatives(logits, truth, classes, 1 / temperature)[0];
}

function checkTemperatureInputs(
  logits: Float32Array | Float64Array,
  truth: ArrayLike<number>,
  classes: number,
): void {
  checkClassCount(classes);
  const n = truth?.length;
  if (typeof n !== 'number' || n < 1)
    throw new EmovoxParameterError('truth', 'must hold at least one class index');
  checkClassIndices(truth, classes, 'truth');
  checkLogits(logits, n, classes);
}

/**
 * Temperature scaling (Guo et al. 2017, "On Calibration of Modern Neural Networks"): the T > 0
 * that minimises the mean NLL of softmax(logits / T) on held-out (validation, never test) logits.
 * Dividing logits by T leaves every argmax, hence accuracy, UA and F1, unchanged.
 *
 * The NLL is convex in beta = 1/T, so a safeguarded Newton iteration on beta (bisection whenever a
 * Newton step leaves the bracket) finds the optimum deterministically to ~1e-12 relative. The
 * search range is T in [{@link MIN_TEMPERATURE}, {@link MAX_TEMPERATURE}] = [0.01, 100]; when the
 * optimum lies outside (e.g. every validation example already right with growing confidence,
 * which drives T towards 0), the nearer bound is returned.
 *
 * @param logits pre-softmax scores, row-major [n, classes]
 * @param truth true class index per example, length n >= 1
 * @param classes number of classes (columns)
 * @returns the fitted temperature T
 */
export function fitTemperature(
  logits: Float32Array | Float64Array,
  truth: ArrayLike<number>,
  classes: number,
): number {
  checkTemperatureInputs(logits, truth, classes);
  let lo = 1 / MAX_TEMPERATURE;
  let hi = 1 / MIN_TEMPERATURE;
  if (nllAndDerivatives(logits, truth, classes, lo)[1] >= 0) return MAX_TEMPERATURE;
  if (nllAndDerivatives(logits, truth, classes, hi)[1] <= 0) return MIN_TEMPERATURE;
  let beta = 1;
  for (let iter = 0; iter < 200; iter++) {
    const [, d1, d2] = nllAndDerivatives(logits, truth, classes, beta);
    if (d1 === 0) break;
    if (d1 > 0) hi = beta;
    else lo = beta;
    let next = d2 > 0 ? beta - d1 / d2 : NaN;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    const converged = Math.abs(next - beta) <= 1e-13 * beta || hi - lo <= 1e-13 * beta;
    beta = next;
    if (converged) break;
  }
  return 1 / beta;
}

/**
 * softmax(logits / T) per row, computed in float64 with the row maximum subtracted.
 *
 * @param logits row-major [n, classes]
 * @param classes number of columns
 * @param temperature T > 0 (1 = plain softmax)
 * @returns probabilities, row-major [n, classes]
 */
export function applyTemperature(
  logits: Float32Array | Float64Array,
  classes: number,
  temperature: number,
): Float32Array {
  checkClassCount(classes);
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new EmovoxParameterError('temperature', `must be a finite number > 0, got ${temperature}`);
  }
  if (logits.length % classes !== 0) {
    throw new EmovoxParameterError(
      'logits',
      `has ${logits.length} values, not a multiple of classes = ${classes}`,
    );
  }
  const n = logits.length / classes;
  checkLogits(logits, n, classes);
  const out = new Float32Array(logits.length);
  const row = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) {
      row[k] = logits[i * classes + k] / temperature;
      max = Math.max(max, row[k]);
    }
    let z = 0;
    for (let k = 0; k < classes; k++) {
      row[k] = Math.exp(row[k] - max);
      z += row[k];
    }
    for (let k = 0; k < classes; k++) out[i * classes + k] = row[k] / z;
  }
  return out;
}

/** Accuracy of the examples kept at one confidence threshold. */
export interface CoveragePoint {
  /** Minimum top probability for an example to be kept (answered, not flagged). */
  threshold: number;
  /** Share of examples kept: top probability >= threshold. */
  coverage: number;
  /** Accuracy (argmax = truth) over the kept examples; NaN when none is kept. */
  accuracy: number;
  /** Number of kept examples. */
  kept: number;
}

/**
 * Coverage and accuracy at confidence thresholds (selective prediction): how many results would
 * be flagged as low-confidence at each threshold, and how accurate the rest are. Use it on
 * validation probabilities, after temperature scaling, to choose the threshold below which a
 * recogniser flags its answer. Predictions are the argmax (first on ties).
 *
 * @param probabilities row-major [n, classes], rows summing to 1
 * @param truth true class index per example
 * @param thresholds confidence thresholds in [0, 1]; default 0, 0.1, ..., 0.9
 */
export function coverageAtConfidence(
  probabilities: Float32Array | Float64Array,
  truth: ArrayLike<number>,
  classes: number,
  thresholds: readonly number[] = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
): CoveragePoint[] {
  checkClassCount(classes);
  const n = truth.length;
  if (n < 1) throw new EmovoxParameterError('truth', 'must hold at least one class index');
  checkClassIndices(truth, classes, 'truth');
  checkProbabilities(probabilities, n, classes);
  for (const t of thresholds) {
    if (!(t >= 0 && t <= 1)) throw new EmovoxParameterError('thresholds', `${t} is outside [0, 1]`);
  }
  const confidence = new Float64Array(n);
  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++)
      if (probabilities[i * classes + k] > probabilities[i * classes + best]) best = k;
    confidence[i] = probabilities[i * classes + best];
    correct[i] = best === truth[i] ? 1 : 0;
  }
  return thresholds.map((threshold) => {
    let kept = 0;
    let right = 0;
    for (let i = 0; i < n; i++) {
      if (confidence[i] >= threshold) {
        kept++;
        right += correct[i];
      }
    }
    return { threshold, coverage: kept / n, accuracy: kept === 0 ? NaN : right / kept, kept };
  });
}
