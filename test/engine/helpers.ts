import assert from 'node:assert/strict';
import {
  engineAvailable,
  engineUnavailableReason,
  noGrad,
  ops,
  tidy,
  type Tensor,
} from '../../src/engine/index.js';

/** Skip reason for node:test when the libtorch addon is not built (false when it loads). */
export function engineSkip(): string | false {
  return engineAvailable()
    ? false
    : `engine test skipped: libtorch addon not built (${engineUnavailableReason()}); ` +
        'run `apt-get install libtorch-dev && npm run build:native`';
}

/** Deterministic pseudo-random values in [-1, 1) (no dependence on libtorch's generator). */
export function values(n: number, seed: number): Float64Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

/** Asserts two arrays agree elementwise within atol + rtol·|expected|. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol: number,
  what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const tol = atol + rtol * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      assert.fail(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (tol ${tol})`);
    }
  }
}

/** One float64 input of a gradient check. */
export interface GradInput {
  shape: number[];
  data: Float64Array;
}

/**
 * Compares autograd gradients of sum(fn(inputs) · r) with central finite differences (float64).
 * `fn` must be deterministic (reseed inside it for dropout).
 */
export function gradcheck(
  what: string,
  fn: (inputs: Tensor[]) => Tensor,
  inputs: GradInput[],
  options: { eps?: number; atol?: number; rtol?: number; check?: boolean[] } = {},
): void {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-6;
  const rtol = options.rtol ?? 1e-4;
  const check = options.check ?? inputs.map(() => true);
  tidy(() => {
    const leaves = inputs.map((x, i) =>
      ops.tensor(x.data, { shape: x.shape, dtype: 'float64', requiresGrad: check[i] }),
    );
    const out = fn(leaves);
    const r = ops.tensor(values(out.numel, 99), { shape: out.shape, dtype: 'float64' });
    const loss = out.mul(r).sum();
    loss.backward();
    const analytic = leaves.map((l, i) =>
      check[i] ? (l.grad?.toFloat64Array() ?? new Float64Array(l.numel)) : null,
    );
    const evaluate = (datas: Float64Array[]): number =>
      noGrad(() =>
        tidy(() => {
          const ts = datas.map((d, i) => ops.tensor(d, { shape: inputs[i].shape, dtype: 'float64' }));
          return fn(ts).mul(r).sum().item();
        }),
      );
    inputs.forEach((input, i) => {
      if (!check[i]) return;
      const numeric = new Float64Array(input.data.length);
      for (let j = 0; j < input.data.length; j++) {
        const plus = inputs.map((x) => x.data.slice());
        const minus = inputs.map((x) => x.data.slice());
        plus[i][j] += eps;
        minus[i][j] -= eps;
        numeric[j] = (evaluate(plus) - evaluate(minus)) / (2 * eps);
      }
      assertClose(analytic[i]!, numeric, atol, rtol, `${what}: d/d input ${i}`);
    });
  });
}

/** A gradient-check input of `shape` filled from `values(seed)`, optionally shifted/scaled. */
export function input(shape: number[], seed: number, scale = 1, shift = 0): GradInput {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: values(n, seed).map((v) => v * scale + shift) };
}
