// Logits -> calibrated probabilities, the label, and the low-confidence flag. Pure.
import { EmovoxInputError } from '../util/errors.js';

/** The answer for one stretch of audio. */
export interface EmotionScores {
  /** The most probable class. */
  label: string;
  /** Calibrated probability of every class by label (sums to 1), in the model's class order. */
  scores: Record<string, number>;
  /** The calibrated probability of `label`. */
  confidence: number;
  /** True when `confidence` is below the model's low-confidence threshold. */
  lowConfidence: boolean;
}

/** How scores are made from logits: the bundle's temperature and threshold. */
export interface ScoreCalibration {
  /** Temperature T of softmax(logits / T) (1 = uncalibrated). */
  temperature: number;
  /** Results whose calibrated top probability is below this are flagged `lowConfidence`. */
  lowConfidenceBelow: number;
}

/**
 * Low-confidence threshold for a bundle that stores none: a quarter of the way from a uniform
 * guess to certainty, `1/k + (1 - 1/k) / 4` for k classes, at most 0.5 (0.36 for 7 classes).
 * The bundled model stores its own, chosen on validation data (docs/inference.md).
 */
export function defaultLowConfidenceThreshold(classes: number): number {
  return Math.min(0.5, 1 / classes + (1 - 1 / classes) / 4);
}

/**
 * Calibrated scores of one example.
 * @param logits - the model's logits for the example (length = labels.length).
 * @param labels - class names in output order.
 * @param calibration - temperature and low-confidence threshold.
 * @throws EmovoxInputError('inference', problem) when the sizes differ or a logit is not finite.
 */
export function scoresFromLogits(
  logits: ArrayLike<number>,
  labels: readonly string[],
  calibration: ScoreCalibration,
): EmotionScores {
  const k = labels.length;
  if (logits.length !== k)
    throw new EmovoxInputError('inference', `model gave ${logits.length} logits for ${k} labels`);
  const t = calibration.temperature;
  if (!(t > 0)) throw new EmovoxInputError('inference', `temperature must be > 0, got ${t}`);
  let max = -Infinity;
  for (let i = 0; i < k; i++) {
    if (!Number.isFinite(logits[i])) throw new EmovoxInputError('inference', `logit ${i} is not finite`);
    max = Math.max(max, logits[i] / t);
  }
  const p = new Float64Array(k);
  let sum = 0;
  for (let i = 0; i < k; i++) sum += p[i] = Math.exp(logits[i] / t - max);
  let best = 0;
  const scores: Record<string, number> = {};
  for (let i = 0; i < k; i++) {
    p[i] /= sum;
    scores[labels[i]] = p[i];
    if (p[i] > p[best]) best = i;
  }
  return {
    label: labels[best],
    scores,
    confidence: p[best],
    lowConfidence: p[best] < calibration.lowConfidenceBelow,
  };
}

/**
 * Scores from probabilities (e.g. smoothed ones): the arg-max label and the flag.
 * @param probabilities - label -> probability (renormalised here to sum to 1).
 */
export function scoresFromProbabilities(
  probabilities: Record<string, number>,
  labels: readonly string[],
  lowConfidenceBelow: number,
): EmotionScores {
  let sum = 0;
  for (const l of labels) sum += probabilities[l] ?? 0;
  if (!(sum > 0)) throw new EmovoxInputError('inference', 'probabilities sum to 0');
  const scores: Record<string, number> = {};
  let best = labels[0];
  for (const l of labels) {
    scores[l] = (probabilities[l] ?? 0) / sum;
    if (scores[l] > scores[best]) best = l;
  }
  return { label: best, scores, confidence: scores[best], lowConfidence: scores[best] < lowConfidenceBelow };
}
