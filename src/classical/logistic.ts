// Multinomial logistic regression with L2 penalty on sparse features, fitted with L-BFGS:
// the optimum of scikit-learn's LogisticRegression(multi_class='multinomial', solver='lbfgs').
import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import { lbfgs } from './lbfgs.js';
import { newtonCg } from './newton-cg.js';
import type { CsrMatrix } from './sparse.js';

/** Options of {@link LogisticRegression}; defaults are scikit-learn's where it has one. */
export interface LogisticOptions {
  /** Inverse regularisation strength (default 1): loss = C·Σ wᵢ·CEᵢ + ½‖W‖² (bias not penalised). */
  C?: number;
  /** Fit a per-class bias (default true). */
  fitIntercept?: boolean;
  /** 'balanced': sample weight n / (classes · count of its class), as scikit-learn; default none. */
  classWeight?: 'balanced' | null;
  /** L-BFGS iteration limit (default 1000). */
  maxIter?: number;
  /**
   * Stop when max |gradient| of the mean-loss objective falls to `tol` times its value at the
   * start (default 1e-4; scale-free, so the same for any C and any number of rows).
   */
  tol?: number;
  /**
   * Optimiser (default 'newton-cg': line-search Newton-CG with exact Hessian-vector products,
   * a few dozen passes over the data where L-BFGS needs hundreds at large C; 'lbfgs' kept
   * for comparison). Both stop at the same `tol`, so they agree within it.
   */
  solver?: 'newton-cg' | 'lbfgs';
}

/** What the optimiser reports after a fit. */
export interface LogisticFitReport {
  solver: 'newton-cg' | 'lbfgs';
  value: number;
  /** Outer iterations (Newton or L-BFGS steps). */
  iterations: number;
  /** Objective (value + gradient) evaluations. */
  evaluations: number;
  /** Hessian-vector products (Newton-CG only; 0 for L-BFGS). */
  hessianProducts: number;
  reason: string;
  gradMax: number;
}

/** Serialised fitted model (`toJSON` / `fromJSON`). */
export interface LogisticJson {
  type: 'emovox-logistic';
  version: 1;
  classes: number;
  features: number;
  /** Row-major [classes, features]. */
  coef: number[];
  intercept: number[];
}

/**
 * Multinomial (softmax) logistic regression with an L2 penalty, fitted on a CSR matrix with
 * L-BFGS to a tight tolerance, so the coefficients are the unique optimum that scikit-learn's
 * `LogisticRegression(C=C)` also approaches (golden test in test/classical/).
 */
export class LogisticRegression {
  /** Row-major [classes, features] after {@link fit}. */
  coef = new Float64Array(0);
  intercept = new Float64Array(0);
  classes = 0;
  features = 0;
  /** The optimiser's report of the last fit. */
  report: LogisticFitReport | null = null;
  private readonly o: Required<LogisticOptions>;

  constructor(options: LogisticOptions = {}) {
    const C = options.C ?? 1;
    if (!(C > 0)) throw new EmovoxParameterError('C', `must be > 0, got ${C}`);
    this.o = {
      C,
      fitIntercept: options.fitIntercept ?? true,
      classWeight: options.classWeight ?? null,
      maxIter: options.maxIter ?? 1000,
      tol: options.tol ?? 1e-4,
      solver: options.solver ?? 'newton-cg',
    };
    if (this.o.solver !== 'newton-cg' && this.o.solver !== 'lbfgs')
      throw new EmovoxParameterError(
        'solver',
        `must be 'newton-cg' or 'lbfgs', got ${String(this.o.solver)}`,
      );
  }

  /**
   * Fits on `x` (CSR [n, features]) and class indices `y` (0..classes-1).
   * @param classes - number of classes (default max(y) + 1).
   * @param init - starting point (e.g. the solution for a neighbouring C: a warm start along a
   *   regularisation path converges in far fewer iterations); default zeros.
   * @throws EmovoxInputError('logistic regression', problem) for mismatched or bad labels.
   */
  fit(
    x: CsrMatrix,
    y: ArrayLike<number>,
    classes?: number,
    init?: { coef: Float64Array; intercept: Float64Array },
  ): this {
    const n = x.rows;
    if (y.length !== n) throw new EmovoxInputError('logistic regression', `${y.length} labels for ${n} rows`);
    let K = classes ?? 0;
    for (let i = 0; i < n; i++) K = Math.max(K, y[i] + 1);
    for (let i = 0; i < n; i++)
      if (!Number.isInteger(y[i]) || y[i] < 0 || y[i] >= K)
        throw new EmovoxInputError('logistic regression', `label ${y[i]} of row ${i} is not a class index`);
    const D = x.cols;
    const weights = new Float64Array(n).fill(1);
    if (this.o.classWeight === 'balanced') {
      const counts = new Float64Array(K);
      for (let i = 0; i < n; i++) counts[y[i]]++;
      const present = counts.filter((c) => c > 0).length;
      for (let i = 0; i < n; i++) weights[i] = n / (present * counts[y[i]]);
    }
    const wsum = weights.reduce((a, b) => a + b, 0);
    // Mean-loss form (same optimum as C·Σloss + ½‖W‖²): f = Σ wᵢ CEᵢ / Σw + ‖W‖² / (2 C Σw).
    const lambda = 1 / (this.o.C * wsum);
    const fitB = this.o.fitIntercept;
    // Parameters: W as [D, K] (feature-major for sparse rows), then b [K].
    // `probs` keeps the softmax of the latest objective call for the Hessian-vector products.
    const probs = new Float64Array(n * K);
    const objective = (theta: Float64Array, grad: Float64Array): number => {
      grad.fill(0);
      let loss = 0;
      const s = new Float64Array(K);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < K; k++) s[k] = fitB ? theta[D * K + k] : 0;
        const end = x.indptr[i + 1];
        for (let p = x.indptr[i]; p < end; p++) {
          const v = x.data[p];
          const base = x.indices[p] * K;
          for (let k = 0; k < K; k++) s[k] += v * theta[base + k];
        }
        let max = -Infinity;
        for (let k = 0; k < K; k++) max = Math.max(max, s[k]);
        let z = 0;
        for (let k = 0; k < K; k++) z += Math.exp(s[k] - max);
        const logZ = max + Math.log(z);
        const wi = weights[i] / wsum;
        const yi = y[i];
        loss += wi * (logZ - s[yi]);
        // s becomes the residual wᵢ (pᵢ − yᵢ) / Σw.
        for (let k = 0; k < K; k++) {
          const pk = Math.exp(s[k] - logZ);
          probs[i * K + k] = pk;
          s[k] = wi * (pk - (k === yi ? 1 : 0));
        }
        for (let p = x.indptr[i]; p < end; p++) {
          const v = x.data[p];
          const base = x.indices[p] * K;
          for (let k = 0; k < K; k++) grad[base + k] += v * s[k];
        }
        if (fitB) for (let k = 0; k < K; k++) grad[D * K + k] += s[k];
      }
      let norm = 0;
      for (let j = 0; j < D * K; j++) {
        norm += theta[j] * theta[j];
        grad[j] += lambda * theta[j];
      }
      return loss + 0.5 * lambda * norm;
    };
    // H·v of the softmax cross-entropy: per row, Xᵢᵀ wᵢ (diag(pᵢ) − pᵢpᵢᵀ) Xᵢ V, plus λV.
    const hessianVector = (v: Float64Array, out: Float64Array): void => {
      out.fill(0);
      const u = new Float64Array(K);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < K; k++) u[k] = fitB ? v[D * K + k] : 0;
        const end = x.indptr[i + 1];
        for (let p = x.indptr[i]; p < end; p++) {
          const val = x.data[p];
          const base = x.indices[p] * K;
          for (let k = 0; k < K; k++) u[k] += val * v[base + k];
        }
        let pu = 0;
        for (let k = 0; k < K; k++) pu += probs[i * K + k] * u[k];
        const wi = weights[i] / wsum;
        for (let k = 0; k < K; k++) u[k] = wi * probs[i * K + k] * (u[k] - pu);
        for (let p = x.indptr[i]; p < end; p++) {
          const val = x.data[p];
          const base = x.indices[p] * K;
          for (let k = 0; k < K; k++) out[base + k] += val * u[k];
        }
        if (fitB) for (let k = 0; k < K; k++) out[D * K + k] += u[k];
      }
      for (let j = 0; j < D * K; j++) out[j] += lambda * v[j];
    };
    const theta0 = new Float64Array(D * K + (fitB ? K : 0));
    if (init) {
      if (init.coef.length !== K * D || init.intercept.length !== K)
        throw new EmovoxInputError('logistic regression', 'warm start has the wrong number of coefficients');
      for (let j = 0; j < D; j++) for (let k = 0; k < K; k++) theta0[j * K + k] = init.coef[k * D + j];
      if (fitB) theta0.set(init.intercept, D * K);
    }
    // The tolerance is relative to the gradient at zero (the same for every warm start).
    const g0 = new Float64Array(theta0.length);
    objective(new Float64Array(theta0.length), g0);
    const gradScale = g0.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
    const gtol = this.o.tol * gradScale;
    let result: {
      x: Float64Array;
      value: number;
      iterations: number;
      evaluations: number;
      reason: string;
      gradMax: number;
      hessianProducts?: number;
    };
    if (this.o.solver === 'lbfgs')
      result = lbfgs(objective, theta0, { gtol, ftol: 0, maxIter: this.o.maxIter });
    else result = newtonCg(objective, hessianVector, theta0, { gtol, maxIter: this.o.maxIter });
    this.classes = K;
    this.features = D;
    this.coef = new Float64Array(K * D);
    for (let j = 0; j < D; j++) for (let k = 0; k < K; k++) this.coef[k * D + j] = result.x[j * K + k];
    this.intercept = fitB ? result.x.slice(D * K) : new Float64Array(K);
    this.report = {
      solver: this.o.solver,
      value: result.value,
      iterations: result.iterations,
      evaluations: result.evaluations,
      hessianProducts: result.hessianProducts ?? 0,
      reason: result.reason,
      gradMax: result.gradMax,
    };
    return this;
  }

  /** Scores x Wᵀ + b, row-major [rows, classes]. */
  decisionFunction(x: CsrMatrix): Float64Array {
    if (this.classes === 0) throw new EmovoxInputError('logistic regression', 'not fitted');
    if (x.cols !== this.features)
      throw new EmovoxInputError('logistic regression', `${x.cols} features, fitted on ${this.features}`);
    const K = this.classes;
    const D = this.features;
    const out = new Float64Array(x.rows * K);
    for (let i = 0; i < x.rows; i++) {
      for (let k = 0; k < K; k++) out[i * K + k] = this.intercept[k];
      for (let p = x.indptr[i]; p < x.indptr[i + 1]; p++)
        for (let k = 0; k < K; k++) out[i * K + k] += x.data[p] * this.coef[k * D + x.indices[p]];
    }
    return out;
  }

  /** Class probabilities (softmax of the scores), row-major [rows, classes], float32. */
  predictProba(x: CsrMatrix): Float32Array {
    const s = this.decisionFunction(x);
    const K = this.classes;
    const out = new Float32Array(s.length);
    for (let i = 0; i < x.rows; i++) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, s[i * K + k]);
      let z = 0;
      for (let k = 0; k < K; k++) z += Math.exp(s[i * K + k] - max);
      for (let k = 0; k < K; k++) out[i * K + k] = Math.exp(s[i * K + k] - max) / z;
    }
    return out;
  }

  /** Most probable class of each row (first on ties, as numpy's argmax). */
  predict(x: CsrMatrix): Int32Array {
    const s = this.decisionFunction(x);
    const K = this.classes;
    const out = new Int32Array(x.rows);
    for (let i = 0; i < x.rows; i++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (s[i * K + k] > s[i * K + best]) best = k;
      out[i] = best;
    }
    return out;
  }

  /** Plain JSON of the fitted model. */
  toJSON(): LogisticJson {
    return {
      type: 'emovox-logistic',
      version: 1,
      classes: this.classes,
      features: this.features,
      coef: [...this.coef],
      intercept: [...this.intercept],
    };
  }

  /** Restores a model saved with {@link toJSON}. */
  static fromJSON(json: unknown): LogisticRegression {
    const j = json as Partial<LogisticJson> | null;
    if (!j || j.type !== 'emovox-logistic' || !Array.isArray(j.coef) || !Array.isArray(j.intercept))
      throw new EmovoxInputError('logistic regression', 'not an emovox logistic model');
    const m = new LogisticRegression();
    m.classes = j.classes!;
    m.features = j.features!;
    if (j.coef.length !== m.classes * m.features || j.intercept.length !== m.classes)
      throw new EmovoxInputError('logistic regression', 'coefficient sizes do not match classes x features');
    m.coef = Float64Array.from(j.coef);
    m.intercept = Float64Array.from(j.intercept);
    return m;
  }
}
