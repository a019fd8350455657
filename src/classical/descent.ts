// What the optimisers (L-BFGS, Newton-CG) share: dense vector helpers and the Armijo line search.

/** Inner product of two vectors of equal length. */
export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Largest absolute component (the infinity norm); 0 for an empty vector. */
export function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Outcome of {@link armijoBacktrack}. */
export interface BacktrackResult {
  /** A step met the sufficient-decrease condition; `xNew`/`gNew` then hold its point and gradient. */
  accepted: boolean;
  /** Objective value at the last point tried. */
  value: number;
  /** Objective evaluations made. */
  evaluations: number;
}

/**
 * Backtracking line search: tries x + step·d, halving `step` from `initialStep`, until
 * f(x + step·d) <= fx + 1e-4·step·slope (Armijo) with a finite value, at most `maxTries` times.
 * Writes the point into `xNew` and its gradient into `gNew`.
 *
 * @param f - objective writing the gradient into its second argument.
 * @param slope - directional derivative gᵀd at x (negative for a descent direction).
 */
export function armijoBacktrack(
  f: (x: Float64Array, grad: Float64Array) => number,
  x: Float64Array,
  d: Float64Array,
  fx: number,
  slope: number,
  initialStep: number,
  maxTries: number,
  xNew: Float64Array,
  gNew: Float64Array,
): BacktrackResult {
  let step = initialStep;
  let value = Infinity;
  for (let tries = 0; tries < maxTries; tries++) {
    for (let k = 0; k < x.length; k++) xNew[k] = x[k] + step * d[k];
    value = f(xNew, gNew);
    if (Number.isFinite(value) && value <= fx + 1e-4 * step * slope)
      return { accepted: true, value, evaluations: tries + 1 };
    step *= 0.5;
  }
  return { accepted: false, value, evaluations: maxTries };
}
