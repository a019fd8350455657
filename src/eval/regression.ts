import { EmovoxParameterError } from '../util/errors.js';
import { numpyMean, numpySum } from './sum.js';

/**
 * Sentiment-regression metrics as CMU-MOSI/MOSEI papers report them (the definitions of the
 * MMSA toolkit's `eval_mosei_regression`, checked against numpy/scikit-learn by a golden test).
 * Scores are on MOSEI's [-3, 3] sentiment scale.
 */
export interface RegressionMetrics {
  n: number;
  /** Mean absolute error. */
  mae: number;
  /** Pearson correlation of predictions and truth (`np.corrcoef`); NaN when either is constant. */
  pearson: number;
  /** Binary accuracy with zeros: truth >= 0 vs < 0 ("non-negative / negative"). */
  acc2: number;
  /** Support-weighted F1 of that binary split. */
  f1: number;
  /** Binary accuracy without zeros: examples with truth exactly 0 dropped, then > 0 vs < 0 ("negative / positive"). NaN when every truth is 0. */
  acc2NonZero: number;
  /** Support-weighted F1 of the non-zero binary split. NaN when every truth is 0. */
  f1NonZero: number;
  /** Number of examples with truth != 0. */
  nNonZero: number;
  /** 7-class accuracy: both sides clipped to [-3, 3] and rounded half to even (np.round). */
  acc7: number;
  /** 5-class accuracy: both sides clipped to [-2, 2] and rounded half to even. */
  acc5: number;
}

/** np.round: to nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function clip(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** Accuracy and support-weighted F1 of binary labels (scikit-learn, zero_division=0). */
function binaryScores(truth: boolean[], predicted: boolean[]): [number, number] {
  const n = truth.length;
  let correct = 0;
  const counts = { tp: [0, 0], support: [0, 0], pred: [0, 0] };
  for (let i = 0; i < n; i++) {
    const t = truth[i] ? 1 : 0;
    const p = predicted[i] ? 1 : 0;
    if (t === p) {
      correct++;
      counts.tp[t]++;
    }
    counts.support[t]++;
    counts.pred[p]++;
  }
  // Classes as scikit-learn sees them: those present in truth or predictions, in order false, true.
  const classes = [0, 1].filter((c) => counts.support[c] > 0 || counts.pred[c] > 0);
  const f1s = classes.map((c) => {
    const p = counts.pred[c] === 0 ? 0 : counts.tp[c] / counts.pred[c];
    const r = counts.support[c] === 0 ? 0 : counts.tp[c] / counts.support[c];
    return p + r === 0 ? 0 : (2 * p * r) / (p + r);
  });
  const weights = classes.map((c) => counts.support[c]);
  const products = f1s.map((f, i) => f * weights[i]);
  return [correct / n, numpySum(products) / numpySum(weights)];
}

/**
 * Sentiment-regression metrics of predicted scores against true scores.
 *
 * @param truth true sentiment per example, length n >= 2
 * @param predicted predicted sentiment per example, length n
 */
export function regressionMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>): RegressionMetrics {
  const n = truth?.length;
  if (typeof n !== 'number' || n < 1) throw new EmovoxParameterError('truth', 'must hold at least one score');
  if (predicted?.length !== n)
    throw new EmovoxParameterError('predicted', `must hold ${n} scores (one per true score)`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(truth[i]))
      throw new EmovoxParameterError('truth', `entry ${i} is ${truth[i]}; scores must be finite`);
    if (!Number.isFinite(predicted[i]))
      throw new EmovoxParameterError('predicted', `entry ${i} is ${predicted[i]}; scores must be finite`);
  }
  const t = Array.from(truth);
  const p = Array.from(predicted);
  const mae = numpyMean(t.map((v, i) => Math.abs(p[i] - v)));
  const mt = numpyMean(t);
  const mp = numpyMean(p);
  const ct = t.map((v) => v - mt);
  const cp = p.map((v) => v - mp);
  const cov = numpySum(ct.map((v, i) => v * cp[i]));
  const vt = numpySum(ct.map((v) => v * v));
  const vp = numpySum(cp.map((v) => v * v));
  const pearson = vt === 0 || vp === 0 ? NaN : Math.max(-1, Math.min(1, cov / Math.sqrt(vt * vp)));
  const multiclass = (lo: number, hi: number): number =>
    t.filter((v, i) => roundHalfEven(clip(p[i], lo, hi)) === roundHalfEven(clip(v, lo, hi))).length / n;
  const [acc2, f1] = binaryScores(
    t.map((v) => v >= 0),
    p.map((v) => v >= 0),
  );
  const nonZero = t.map((v, i) => i).filter((i) => t[i] !== 0);
  const [acc2NonZero, f1NonZero] =
    nonZero.length === 0
      ? [NaN, NaN]
      : binaryScores(
          nonZero.map((i) => t[i] > 0),
          nonZero.map((i) => p[i] > 0),
        );
  return {
    n,
    mae,
    pearson,
    acc2,
    f1,
    acc2NonZero,
    f1NonZero,
    nNonZero: nonZero.length,
    acc7: multiclass(-3, 3),
    acc5: multiclass(-2, 2),
  };
}
