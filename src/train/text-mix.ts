// Mixing the members of a text recipe: weights on a grid of the simplex chosen on dev, and a
// dev-only check of whether such weights beat a plain average on items they were not chosen on.
// A small dev split (MELD: 1109 utterances) can make grid weights fit its noise; the check lets a
// recipe fall back to the average when the grid does not carry over.
import { classificationMetrics } from '../eval/index.js';
import { EmovoxParameterError } from '../util/errors.js';
import { mulberry32 } from '../util/random.js';
import { randomHalves, takeRows } from './dev-halves.js';
import { argmaxClasses } from './loop.js';
import type { OffsetMetric } from './text-offsets.js';

/** Every weight vector of `n` non-negative multiples of 1/steps that sum to 1. */
export function* simplex(n: number, steps: number, prefix: number[] = []): Generator<number[]> {
  const used = prefix.reduce((a, b) => a + b, 0);
  if (prefix.length === n - 1) {
    yield [...prefix, steps - used].map((s) => s / steps);
    return;
  }
  for (let s = 0; s <= steps - used; s++) yield* simplex(n, steps, [...prefix, s]);
}

/**
 * Σ_j weights[j] · parts[j], element-wise.
 * @param parts - member probabilities, each row-major [items, classes], all the same length.
 * @param weights - one weight per member.
 */
export function mixProbabilities(parts: readonly Float32Array[], weights: readonly number[]): Float32Array {
  if (parts.length === 0 || parts.length !== weights.length)
    throw new EmovoxParameterError('weights', `${weights.length} weights for ${parts.length} members`);
  const out = new Float32Array(parts[0].length);
  parts.forEach((p, j) => {
    if (weights[j] === 0) return;
    for (let i = 0; i < p.length; i++) out[i] += weights[j] * p[i];
  });
  return out;
}

/**
 * Grid steps of the mix: 1/10 of the simplex, 1/5 with more than 6 members (the grid grows as
 * C(steps + n - 1, n - 1)).
 */
export function mixSteps(members: number): number {
  return members > 6 ? 5 : 10;
}

/**
 * The weights on the 1/steps grid of the simplex that maximise `metric` of the mix's argmax on
 * labelled items (the first best in the grid's order wins ties, so weights that come earlier,
 * i.e. less weight on the first members, are kept on a tie).
 * @param y - true class per item (0..k-1), length n.
 * @param parts - member probabilities, each [n, k] row-major.
 * @param classes - class names (k).
 * @param steps - grid steps (default {@link mixSteps}).
 * @returns the weights (one per member, sum 1) and their score.
 */
export function gridMix(
  y: Int32Array,
  parts: readonly Float32Array[],
  classes: readonly string[],
  metric: OffsetMetric,
  steps = mixSteps(parts.length),
): { weights: number[]; score: number } {
  const k = classes.length;
  for (const p of parts)
    if (p.length !== y.length * k)
      throw new EmovoxParameterError('parts', `expected ${y.length} × ${k} probabilities, got ${p.length}`);
  if (parts.length === 1) return { weights: [1], score: score(y, parts[0], classes, metric) };
  let best = { weights: parts.map(() => 1 / parts.length), score: -Infinity };
  for (const w of simplex(parts.length, steps)) {
    const v = score(y, mixProbabilities(parts, w), classes, metric);
    if (v > best.score + 1e-12) best = { weights: w, score: v };
  }
  return best;
}

function score(y: Int32Array, p: Float32Array, classes: readonly string[], metric: OffsetMetric): number {
  return classificationMetrics(y, argmaxClasses(p, classes.length), classes)[metric];
}

/**
 * What grid weights gain over the plain average on items they were not chosen on, from the
 * labelled items alone: they are split in two halves (seeded shuffle), weights chosen on one half
 * by {@link gridMix} and the equal-weight average are both scored on the other and vice versa,
 * for `repeats` random splits. Returns the held-out metric of each, averaged over every half
 * scored.
 */
export function mixCrossCheck(
  y: Int32Array,
  parts: readonly Float32Array[],
  classes: readonly string[],
  metric: OffsetMetric,
  seed = 0,
  options: {
    /** Random half splits averaged (default 5). */
    repeats?: number;
    /** Grid steps (default {@link mixSteps}). */
    steps?: number;
  } = {},
): { equal: number; grid: number } {
  const repeats = options.repeats ?? 5;
  const steps = options.steps ?? mixSteps(parts.length);
  const k = classes.length;
  const random = mulberry32(seed);
  const equalWeights = parts.map(() => 1 / parts.length);
  let equal = 0;
  let grid = 0;
  for (let r = 0; r < repeats; r++) {
    const halves = randomHalves(y.length, random);
    const take = (idx: number[]) => ({
      y: Int32Array.from(idx, (i) => y[i]),
      parts: parts.map((p) => takeRows(p, idx, k)),
    });
    for (let h = 0; h < 2; h++) {
      const fit = take(halves[h]);
      const held = take(halves[1 - h]);
      const { weights } = gridMix(fit.y, fit.parts, classes, metric, steps);
      grid += score(held.y, mixProbabilities(held.parts, weights), classes, metric) / (2 * repeats);
      equal += score(held.y, mixProbabilities(held.parts, equalWeights), classes, metric) / (2 * repeats);
    }
  }
  return { equal, grid };
}
