// The training paths of max pooling and dropout, which the addon computes differently from
// libtorch's own kernels for speed (native/src/nn.cc): the same values and gradients as the
// definitions, ties and the cases that fall back included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, noGrad, ops, tidy, type Tensor } from '../../src/engine/index.js';
import { engineSkip } from './helpers.js';

const skip = engineSkip();

/** Deterministic values in [-1, 1), distinct with overwhelming probability. */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/**
 * Reference max pooling with stride = kernel over the last one or two dims: the output and, for
 * `d out / d x` weighted by `w`, the gradient that goes to the first maximum of each window.
 */
function referencePool(
  x: Float32Array,
  shape: number[],
  kernel: number[],
  w: Float32Array,
): { out: Float32Array; grad: Float32Array; scale: Float32Array } {
  const dims = kernel.length;
  const [h, wd] = dims === 2 ? shape.slice(-2) : [1, shape[shape.length - 1]];
  const [kh, kw] = dims === 2 ? kernel : [1, kernel[0]];
  const planes = x.length / (h * wd);
  const oh = Math.floor(h / kh);
  const ow = Math.floor(wd / kw);
  const out = new Float32Array(planes * oh * ow);
  const scale = new Float32Array(planes * oh * ow);
  const grad = new Float32Array(x.length);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let best = -Infinity;
        let at = -1;
        let largest = 0;
        for (let a = 0; a < kh; a++) {
          for (let b = 0; b < kw; b++) {
            const k = p * h * wd + (i * kh + a) * wd + j * kw + b;
            if (x[k] > best) [best, at] = [x[k], k];
            largest = Math.max(largest, Math.abs(x[k]));
          }
        }
        const o = p * oh * ow + i * ow + j;
        out[o] = best;
        scale[o] = largest;
        grad[at] += w[o];
      }
    }
  }
  return { out, grad, scale };
}

function checkPool(shape: number[], kernel: number[], data: Float32Array): void {
  tidy(() => {
    const pool = (t: Tensor) =>
      kernel.length === 1 ? ops.maxPool1d(t, kernel[0]) : ops.maxPool2d(t, kernel);
    const x = ops.tensor(data, { shape, requiresGrad: true });
    const y = pool(x);
    const w = values(
      y.shape.reduce((a, b) => a * b, 1),
      99,
    );
    y.mul(ops.tensor(w, { shape: y.shape }))
      .sum()
      .backward();
    const ref = referencePool(data, shape, kernel, w);
    const got = y.toArray();
    assert.equal(got.length, ref.out.length);
    for (let i = 0; i < got.length; i++) {
      // a + (b - a) rounds twice per step: off by at most ~2^-24 (|b - a| + |b|) each time.
      const bound = 2 ** -22 * (kernel.reduce((a, b) => a * b, 1) - 1) * ref.scale[i];
      assert.ok(Math.abs(got[i] - ref.out[i]) <= bound, `value ${i}: ${got[i]} against ${ref.out[i]}`);
    }
    assert.deepEqual(x.grad!.toArray(), Array.from(ref.grad), 'gradient goes to the first maximum');
    const exact = noGrad(() => pool(ops.tensor(data, { shape })));
    assert.deepEqual(exact.toArray(), Array.from(ref.out), 'without gradients: libtorch max_pool, exact');
  });
}

test(
  'max pooling while training: values and gradients of max_pool (1-D, 2-D, kernels 2 and 3)',
  { skip },
  () => {
    checkPool([4, 8, 180], [2], values(4 * 8 * 180, 1));
    checkPool([2, 3, 30], [3], values(2 * 3 * 30, 2));
    checkPool([2, 3, 16, 12], [2, 2], values(2 * 3 * 16 * 12, 3));
    checkPool([2, 3, 8, 12], [2, 3], values(2 * 3 * 8 * 12, 4));
  },
);

test('max pooling while training: ties (ReLU zeros) send the gradient to the first element', { skip }, () => {
  const data = values(2 * 4 * 24, 5).map((v) => Math.max(0, v));
  data.fill(0.25, 10, 14);
  checkPool([2, 4, 24], [2], data);
  checkPool([2, 2, 4, 12], [2, 2], data.subarray(0, 2 * 2 * 4 * 12));
});

test('max pooling while training: lengths that are not a multiple of the kernel fall back', { skip }, () =>
  tidy(() => {
    const x = ops.tensor(values(2 * 3 * 7, 6), { shape: [2, 3, 7], requiresGrad: true });
    const y = ops.maxPool1d(x, 2);
    assert.deepEqual(y.shape, [2, 3, 3]);
    y.sum().backward();
    assert.equal(
      x.grad!.toArray().reduce((a, b) => a + b, 0),
      18,
      'one unit of gradient per output',
    );
  }),
);

test(
  'dropout while training: keeps 1 - p of the elements, scales them by 1 / (1 - p), same gradient',
  { skip },
  () =>
    tidy(() => {
      const n = 200_000;
      const p = 0.3;
      manualSeed(11);
      const x = ops.tensor(
        values(n, 7).map((v) => v + 2),
        { requiresGrad: true },
      ); // no zeros in x
      const y = ops.dropout(x, p, true);
      y.sum().backward();
      const xs = x.toArray();
      const ys = y.toArray();
      const g = x.grad!.toArray();
      let dropped = 0;
      for (let i = 0; i < n; i++) {
        if (ys[i] === 0) {
          dropped++;
          assert.equal(g[i], 0);
        } else {
          assert.ok(Math.abs(ys[i] - xs[i] / (1 - p)) <= 1e-6 * Math.abs(ys[i]), `kept value ${i}`);
          assert.ok(Math.abs(g[i] - 1 / (1 - p)) < 1e-6, `gradient ${i}`);
        }
      }
      // Binomial(n, p): 4 standard deviations are ~0.4 % of n.
      const sd = Math.sqrt(n * p * (1 - p));
      assert.ok(Math.abs(dropped - n * p) < 4 * sd, `dropped ${dropped} of ${n}`);

      manualSeed(11);
      const again = ops.dropout(ops.tensor(values(n, 7).map((v) => v + 2)), p, true).toArray();
      assert.deepEqual(again, ys, 'the same seed draws the same mask');
    }),
);

test('dropout: identity when not training or p = 0; zeros (and zero gradient) at p = 1', { skip }, () =>
  tidy(() => {
    const x = ops.tensor([1, -2, 3, 4], { requiresGrad: true });
    assert.deepEqual(ops.dropout(x, 0.5, false).toArray(), [1, -2, 3, 4]);
    assert.deepEqual(ops.dropout(x, 0, true).toArray(), [1, -2, 3, 4]);
    const z = ops.dropout(x, 1, true);
    assert.deepEqual(z.toArray(), [0, -0, 0, 0]);
    z.sum().backward();
    assert.deepEqual(x.grad!.toArray(), [0, 0, 0, 0]);
  }),
);
