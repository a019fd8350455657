// Per-class decision offsets: a bias added to each class's log-probability, chosen on the
// validation split to maximise a frequency-weighted metric (MELD's weighted F1), then applied once
// to test. Equivalent to re-weighting the class priors: p'_c ∝ p_c · exp(b_c).
import { classificationMetrics } from '../eval/index.js';
import { EmovoxParameterError } from '../util/errors.js';
import { mulberry32 } from '../util/random.js';
import { randomHalves, takeRows } from './dev-halves.js';

/** Metrics a tuning may maximise (fields of `ClassificationMetrics`). */
export type OffsetMetric = 'weightedF1' | 'macroF1' | 'ua' | 'wa';

/** Options of {@link tuneOffsets}. */
export interface OffsetTuning {
  /** Largest |offset| tried, natural-log units (default 0.5). */
  range?: number;
  /** Grid step, natural-log units (default 0.1). */
  step?: number;
  /** Coordinate-ascent passes over the classes (default 1). */
  rounds?: number;
}

/**
 * Probabilities with `offsets` added to their logarithms and renormalised per row:
 * p'_c = p_c e^{b_c} / Σ_j p_j e^{b_j}. Zero offsets return an equal copy.
 * @param p - probabilities, row-major [items, k].
 * @param offsets - one offset per class (length k), natural-log units.
 */
export function applyOffsets(p: Float32Array, offsets: readonly number[]): Float32Array {
  const k = offsets.length;
  if (k === 0 || p.length % k !== 0)
    throw new EmovoxParameterError('offsets', `length ${k} does not divide ${p.length} probabilities`);
  const scale = offsets.map((b) => Math.exp(b));
  const out = new Float32Array(p.length);
  for (let i = 0; i < p.length; i += k) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += p[i + c] * scale[c];
    for (let c = 0; c < k; c++) out[i + c] = sum > 0 ? (p[i + c] * scale[c]) / sum : 1 / k;
  }
  return out;
}

function predictions(logP: Float64Array, offsets: readonly number[]): Int32Array {
  const k = offsets.length;
  const out = new Int32Array(logP.length / k);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    let top = -Infinity;
    for (let c = 0; c < k; c++) {
      const v = logP[i * k + c] + offsets[c];
      if (v > top) [top, best] = [v, c];
    }
    out[i] = best;
  }
  return out;
}

const LOG_FLOOR = Math.log(1e-12);

/**
 * Per-class offsets maximising `metric` of argmax(log p + b) on labelled items, by coordinate
 * ascent on a grid: each pass visits every class in order and moves its offset to the grid value
 * with the best score (a move must improve the score strictly, so ties keep the smaller change
 * and zero offsets are returned when nothing helps). Offsets are shifted to mean 0 at the end
 * (a common shift changes no prediction).
 * @param y - true class of each item (0..k-1), length n.
 * @param p - probabilities [n, k], row-major.
 * @param classes - class names (k).
 * @returns the offsets (length k) and the metric before and after.
 */
export function tuneOffsets(
  y: Int32Array,
  p: Float32Array,
  classes: readonly string[],
  metric: OffsetMetric,
  options: OffsetTuning = {},
): { offsets: number[]; before: number; after: number } {
  const k = classes.length;
  const range = options.range ?? 0.5;
  const step = options.step ?? 0.1;
  const rounds = options.rounds ?? 1;
  if (p.length !== y.length * k)
    throw new EmovoxParameterError('p', `expected ${y.length} × ${k} probabilities, got ${p.length}`);
  if (!(step > 0) || !(range >= 0))
    throw new EmovoxParameterError('options', `step must be > 0 and range >= 0 (got ${step}, ${range})`);
  const logP = Float64Array.from(p, (v) => (v > 0 ? Math.log(v) : LOG_FLOOR));
  const value = (b: readonly number[]) => classificationMetrics(y, predictions(logP, b), classes)[metric];
  const grid: number[] = [];
  const half = Math.round(range / step);
  for (let g = -half; g <= half; g++) grid.push(Number((g * step).toFixed(10)));
  // Visit small moves first so that ties keep the offset closest to zero.
  grid.sort((a, b) => Math.abs(a) - Math.abs(b) || a - b);
  const offsets = new Array<number>(k).fill(0);
  const before = value(offsets);
  let current = before;
  for (let r = 0; r < rounds; r++) {
    let moved = false;
    for (let c = 0; c < k; c++) {
      const keep = offsets[c];
      let bestValue = current;
      let bestOffset = keep;
      for (const g of grid) {
        if (g === keep) continue;
        offsets[c] = g;
        const v = value(offsets);
        if (v > bestValue + 1e-12) [bestValue, bestOffset] = [v, g];
      }
      offsets[c] = bestOffset;
      if (bestOffset !== keep) moved = true;
      current = bestValue;
    }
    if (!moved) break;
  }
  const mean = offsets.reduce((a, b) => a + b, 0) / k;
  return { offsets: offsets.map((b) => Number((b - mean).toFixed(10))), before, after: current };
}

/**
 * An honest estimate of what offset tuning gains on unseen items, from the validation split
 * alone: the items are split in two halves (seeded shuffle), offsets tuned on one half are scored
 * on the other and vice versa, for `repeats` random splits. Returns the held-out metric without
 * and with offsets, averaged over every half scored.
 */
export function offsetsCrossCheck(
  y: Int32Array,
  p: Float32Array,
  classes: readonly string[],
  metric: OffsetMetric,
  seed = 0,
  options: OffsetTuning & {
    /** Random half splits averaged (default 1). */
    repeats?: number;
  } = {},
): { without: number; with: number } {
  const repeats = options.repeats ?? 1;
  const k = classes.length;
  const random = mulberry32(seed);
  let without = 0;
  let withOffsets = 0;
  for (let r = 0; r < repeats; r++) {
    const halves = randomHalves(y.length, random);
    const take = (idx: number[]) => ({ y: Int32Array.from(idx, (i) => y[i]), p: takeRows(p, idx, k) });
    for (let h = 0; h < 2; h++) {
      const fit = take(halves[h]);
      const held = take(halves[1 - h]);
      const { offsets } = tuneOffsets(fit.y, fit.p, classes, metric, options);
      const logP = Float64Array.from(held.p, (v) => (v > 0 ? Math.log(v) : LOG_FLOOR));
      const zero = new Array<number>(k).fill(0);
      without += classificationMetrics(held.y, predictions(logP, zero), classes)[metric] / (2 * repeats);
      withOffsets +=
        classificationMetrics(held.y, predictions(logP, offsets), classes)[metric] / (2 * repeats);
    }
  }
  return { without, with: withOffsets };
}
