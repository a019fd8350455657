// Truncated (inexact) Newton method for smooth convex minimisation: each step solves H d = -g
// approximately by conjugate gradients using only Hessian-vector products (Nocedal & Wright,
// Algorithm 7.1, line-search Newton-CG), then backtracks along d until the Armijo condition holds.
// Near the optimum the steps are full Newton steps, so it converges in a few dozen outer
// iterations where L-BFGS needs hundreds on ill-conditioned problems (large C).
import { armijoBacktrack, dot, maxAbs } from './descent.js';

/**
 * The objective: writes the gradient at `x` into `grad` and returns the value. The next
 * {@link HessianVector} call uses the point of the latest objective call.
 */
export type NewtonObjective = (x: Float64Array, grad: Float64Array) => number;

/** Writes H·v into `out`, H the Hessian at the point of the latest objective call. */
export type HessianVector = (v: Float64Array, out: Float64Array) => void;

/** Options of {@link newtonCg}. */
export interface NewtonCgOptions {
  /** Stop when max |gradient| <= gtol (default 1e-6). */
  gtol?: number;
  /** Outer (Newton) iteration limit (default 100). */
  maxIter?: number;
  /** Conjugate-gradient steps per Newton step (default 250). */
  maxCg?: number;
}

/** Result of {@link newtonCg}. */
export interface NewtonCgResult {
  x: Float64Array;
  value: number;
  /** Newton iterations. */
  iterations: number;
  /** Objective (value + gradient) evaluations. */
  evaluations: number;
  /** Hessian-vector products (conjugate-gradient steps). */
  hessianProducts: number;
  reason: 'gtol' | 'maxIter' | 'lineSearch';
  /** Largest absolute gradient component at `x`. */
  gradMax: number;
}

/**
 * Minimises a convex `f` from `x0` (not modified) with line-search Newton-CG. The CG solve stops
 * at relative residual min(0.5, √‖g‖) (superlinear convergence), or on a direction of
 * non-positive curvature (then the steepest-descent direction is used if no CG step was taken).
 * @returns the minimiser, its value, and why the iteration stopped.
 */
export function newtonCg(
  f: NewtonObjective,
  hv: HessianVector,
  x0: Float64Array,
  options: NewtonCgOptions = {},
): NewtonCgResult {
  const gtol = options.gtol ?? 1e-6;
  const maxIter = options.maxIter ?? 100;
  const maxCg = options.maxCg ?? 250;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let fx = f(x, g);
  let evaluations = 1;
  let hessianProducts = 0;
  const d = new Float64Array(n);
  const r = new Float64Array(n);
  const p = new Float64Array(n);
  const hp = new Float64Array(n);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  let reason: NewtonCgResult['reason'] = 'maxIter';
  let iter = 0;
  for (; iter < maxIter; iter++) {
    if (maxAbs(g) <= gtol) {
      reason = 'gtol';
      break;
    }
    // CG on H d = -g, from d = 0.
    const gnorm = Math.sqrt(dot(g, g));
    const cgTol = Math.min(0.5, Math.sqrt(gnorm)) * gnorm;
    d.fill(0);
    for (let j = 0; j < n; j++) r[j] = -g[j];
    p.set(r);
    let rr = dot(r, r);
    for (let j = 0; j < maxCg; j++) {
      hv(p, hp);
      hessianProducts++;
      const curvature = dot(p, hp);
      if (curvature <= 1e-16 * dot(p, p)) {
        if (j === 0) d.set(p);
        break;
      }
      const alpha = rr / curvature;
      for (let k = 0; k < n; k++) {
        d[k] += alpha * p[k];
        r[k] -= alpha * hp[k];
      }
      const rrNew = dot(r, r);
      if (Math.sqrt(rrNew) <= cgTol) break;
      const beta = rrNew / rr;
      for (let k = 0; k < n; k++) p[k] = r[k] + beta * p[k];
      rr = rrNew;
    }
    const slope = dot(g, d);
    const search = armijoBacktrack(f, x, d, fx, slope, 1, 40, xNew, gNew);
    evaluations += search.evaluations;
    const fNew = search.value;
    if (!search.accepted) {
      // The latest objective call was at a rejected point: restore the state at x for callers.
      fx = f(x, g);
      evaluations++;
      reason = 'lineSearch';
      break;
    }
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    fx = fNew;
  }
  return { x, value: fx, iterations: iter, evaluations, hessianProducts, reason, gradMax: maxAbs(g) };
}
