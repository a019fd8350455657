// Limited-memory BFGS for smooth unconstrained minimisation (Nocedal & Wright, Algorithm 7.4/7.5,
// the two-loop recursion), with a backtracking Armijo line search. Meant for strictly convex
// objectives such as L2-regularised logistic regression, where every step keeps sᵀy > 0.
import { armijoBacktrack, dot, maxAbs } from './descent.js';

/** The objective: writes the gradient at `x` into `grad` and returns the value. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

/** Options of {@link lbfgs}. */
export interface LbfgsOptions {
  /** Correction pairs kept (default 10). */
  memory?: number;
  /** Stop when max |gradient| <= gtol (default 1e-6). */
  gtol?: number;
  /** Stop when the value improves by less than ftol·max(1, |f|) (default 1e-12). */
  ftol?: number;
  /** Iteration limit (default 1000). */
  maxIter?: number;
}

/** Result of {@link lbfgs}. */
export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  /** Function and gradient evaluations. */
  evaluations: number;
  /** Why it stopped. */
  reason: 'gtol' | 'ftol' | 'maxIter' | 'lineSearch';
  /** Largest absolute gradient component at `x`. */
  gradMax: number;
}

/**
 * Minimises `f` from `x0` (not modified) with L-BFGS.
 * @returns the minimiser, its value, and why the iteration stopped.
 */
export function lbfgs(f: Objective, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const m = options.memory ?? 10;
  const gtol = options.gtol ?? 1e-6;
  const ftol = options.ftol ?? 1e-12;
  const maxIter = options.maxIter ?? 1000;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let fx = f(x, g);
  let evaluations = 1;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const alpha = new Float64Array(m);
  let reason: LbfgsResult['reason'] = 'maxIter';
  let iter = 0;
  for (; iter < maxIter; iter++) {
    if (maxAbs(g) <= gtol) {
      reason = 'gtol';
      break;
    }
    // Two-loop recursion: d = -H g.
    d.set(g);
    for (let i = S.length - 1; i >= 0; i--) {
      alpha[i] = rho[i] * dot(S[i], d);
      const y = Y[i];
      for (let j = 0; j < n; j++) d[j] -= alpha[i] * y[j];
    }
    const gamma =
      S.length > 0 ? dot(S[S.length - 1], Y[Y.length - 1]) / dot(Y[Y.length - 1], Y[Y.length - 1]) : 1;
    for (let j = 0; j < n; j++) d[j] *= gamma;
    for (let i = 0; i < S.length; i++) {
      const beta = rho[i] * dot(Y[i], d);
      const s = S[i];
      for (let j = 0; j < n; j++) d[j] += s[j] * (alpha[i] - beta);
    }
    for (let j = 0; j < n; j++) d[j] = -d[j];
    let slope = dot(g, d);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let j = 0; j < n; j++) d[j] = -g[j];
      slope = dot(g, d);
    }
    const xNew = new Float64Array(n);
    const gNew = new Float64Array(n);
    const firstStep = S.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(g, g))) : 1;
    const search = armijoBacktrack(f, x, d, fx, slope, firstStep, 60, xNew, gNew);
    evaluations += search.evaluations;
    const fNew = search.value;
    if (!search.accepted) {
      reason = 'lineSearch';
      break;
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      s[j] = xNew[j] - x[j];
      y[j] = gNew[j] - g[j];
    }
    const sy = dot(s, y);
    if (sy > 1e-16) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const improvement = fx - fNew;
    x = xNew;
    g = gNew;
    fx = fNew;
    if (improvement <= ftol * Math.max(1, Math.abs(fx))) {
      iter++;
      reason = maxAbs(g) <= gtol ? 'gtol' : 'ftol';
      break;
    }
  }
  return { x, value: fx, iterations: iter, evaluations, reason, gradMax: maxAbs(g) };
}
