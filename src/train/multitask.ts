// Multi-label + regression heads (CMU-MOSEI: six emotions' presence and the sentiment score) on
// any model kind: the model's `classes` outputs are `labels` logits followed by `regression`
// values. The loss (binary cross-entropy + L1/MSE) and the evaluation (per-emotion weighted
// accuracy and F1, sentiment MAE / correlation / binary accuracy) live here.
import { ops, type Tensor } from '../engine/index.js';
import {
  multilabelMetrics,
  regressionMetrics,
  type MultilabelMetrics,
  type RegressionMetrics,
} from '../eval/index.js';
import { EmovoxParameterError } from '../util/errors.js';

/** Output layout of a multi-task model: `labels` logits, then `regression` values. */
export interface MultitaskLayout {
  /** Multi-label logits (sigmoid → probability of each label). */
  labels: number;
  /** Regression outputs after them (MOSEI: 1, the sentiment). */
  regression: number;
}

/** Options of {@link multitaskLoss}. */
export interface MultitaskLossOptions {
  /** Weight of positive examples per label [labels] (rare emotions), as BCE's pos_weight. */
  posWeight?: Tensor | null;
  /** Weight of the regression term (default 1). */
  regressionWeight?: number;
  /** 'l1' (default; MOSEI models train on MAE) or 'mse'. */
  regressionLoss?: 'l1' | 'mse';
}

function checkLayout(outputs: Tensor, layout: MultitaskLayout): void {
  if (outputs.shape[1] !== layout.labels + layout.regression)
    throw new EmovoxParameterError(
      'layout',
      `model has ${outputs.shape[1]} outputs, layout needs ${layout.labels} + ${layout.regression}`,
    );
}

/**
 * Loss of multi-task outputs [batch, labels + regression]: mean binary cross-entropy with logits
 * of the label columns against `presence` [batch, labels] (0/1), plus `regressionWeight` times
 * the L1 (or MSE) of the regression columns against `targets` [batch, regression], averaged over
 * the rows whose target is known (NaN targets contribute nothing).
 */
export function multitaskLoss(
  outputs: Tensor,
  presence: Tensor,
  targets: Tensor | null,
  layout: MultitaskLayout,
  options: MultitaskLossOptions = {},
): Tensor {
  checkLayout(outputs, layout);
  const logits = outputs.slice(1, 0, layout.labels);
  let loss = ops.binaryCrossEntropyWithLogits(logits, presence, { posWeight: options.posWeight ?? null });
  if (layout.regression > 0 && targets) {
    const predicted = outputs.slice(1, layout.labels, layout.labels + layout.regression);
    const known = targets.eq(targets); // false for NaN
    const safe = ops.where(known, targets, 0);
    const diff = predicted.sub(safe);
    const per = options.regressionLoss === 'mse' ? diff.square() : diff.abs();
    const count = known.float().sum().clamp(1);
    const regression = per.mul(known.float()).sum().div(count);
    loss = loss.add(regression.mul(options.regressionWeight ?? 1));
  }
  return loss;
}

/** Positive weights per label, negatives / positives of the training presence matrix (capped). */
export function positiveWeights(presence: Float32Array, labels: number, cap = 10): Float32Array {
  const n = presence.length / labels;
  const pos = new Float64Array(labels);
  for (let i = 0; i < n; i++) for (let k = 0; k < labels; k++) pos[k] += presence[i * labels + k];
  return Float32Array.from(pos, (p) => (p === 0 ? 1 : Math.min(cap, (n - p) / p)));
}

/** Predictions of a multi-task model from its outputs. */
export interface MultitaskPredictions {
  /** Row-major [n, labels] sigmoid probabilities. */
  probabilities: Float32Array;
  /** Row-major [n, regression] values. */
  regression: Float32Array;
}

/** Splits raw outputs [n, labels + regression] into label probabilities and regression values. */
export function multitaskPredictions(outputs: Float32Array, layout: MultitaskLayout): MultitaskPredictions {
  const width = layout.labels + layout.regression;
  if (outputs.length % width !== 0)
    throw new EmovoxParameterError('outputs', `length ${outputs.length} is not a multiple of ${width}`);
  const n = outputs.length / width;
  const probabilities = new Float32Array(n * layout.labels);
  const regression = new Float32Array(n * layout.regression);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < layout.labels; k++)
      probabilities[i * layout.labels + k] = 1 / (1 + Math.exp(-outputs[i * width + k]));
    for (let r = 0; r < layout.regression; r++)
      regression[i * layout.regression + r] = outputs[i * width + layout.labels + r];
  }
  return { probabilities, regression };
}

/** Metrics of a multi-task model (MOSEI: emotions and sentiment). */
export interface MultitaskMetrics {
  /** Per-label F1 and weighted accuracy ((TPR + TNR) / 2, MOSEI's), micro/macro averages. */
  emotions: MultilabelMetrics;
  /** Sentiment MAE, Pearson r, Acc-2 / F1, Acc-5, Acc-7 over the rows with a known target. */
  sentiment: RegressionMetrics | null;
}

/**
 * Evaluates multi-task predictions: a label is predicted present when its probability is at
 * least `threshold` (default 0.5); the first regression column is scored against `targets`
 * where known (null when fewer than two are known).
 */
export function multitaskMetrics(
  predictions: MultitaskPredictions,
  presence: Float32Array,
  targets: Float32Array | null,
  labels: readonly string[],
  threshold = 0.5,
): MultitaskMetrics {
  const predicted = Uint8Array.from(predictions.probabilities, (p) => (p >= threshold ? 1 : 0));
  const emotions = multilabelMetrics(presence, predicted, labels);
  let sentiment: RegressionMetrics | null = null;
  if (targets) {
    const n = targets.length;
    const width = predictions.regression.length / n;
    const truth: number[] = [];
    const pred: number[] = [];
    for (let i = 0; i < n; i++)
      if (!Number.isNaN(targets[i])) {
        truth.push(targets[i]);
        pred.push(predictions.regression[i * width]);
      }
    if (truth.length >= 2) sentiment = regressionMetrics(truth, pred);
  }
  return { emotions, sentiment };
}
