// Tensor creation, data transfer, dtype promotion, scopes, grad handling and error reporting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EmovoxParameterError } from '../../src/util/errors.js';
import {
  Tensor,
  dispose,
  enableGrad,
  getNumThreads,
  init,
  isGradEnabled,
  keep,
  liveTensorCount,
  manualSeed,
  noGrad,
  ops,
  scopeDepth,
  setNumThreads,
  tidy,
  torchVersion,
} from '../../src/engine/index.js';
import { engineSkip } from './helpers.js';

const skip = engineSkip();

test('tensors round-trip every dtype through typed arrays with their shape', { skip }, () =>
  tidy(() => {
    const f = ops.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(f.shape, [2, 3]);
    assert.equal(f.dtype, 'float32');
    assert.equal(f.device, 'cpu');
    assert.deepEqual(Array.from(f.toFloat32Array()), [1, 2, 3, 4, 5, 6]);
    const d = ops.tensor(Float64Array.of(0.1, 0.2), { shape: [2, 1] });
    assert.equal(d.dtype, 'float64');
    assert.deepEqual(Array.from(d.toFloat64Array()), [0.1, 0.2]);
    assert.equal(ops.tensor(Int32Array.of(7, -8)).dtype, 'int32');
    assert.deepEqual(Array.from(ops.tensor(Int32Array.of(7, -8)).toInt32Array()), [7, -8]);
    const l = ops.tensor(BigInt64Array.of(5n, -9007199254740993n));
    assert.equal(l.dtype, 'int64');
    assert.deepEqual(Array.from(l.toBigInt64Array()), [5n, -9007199254740993n]);
    const b = ops.tensor([true, false, true], { dtype: 'bool' });
    assert.deepEqual(Array.from(b.dataSync() as Uint8Array), [1, 0, 1]);
    assert.equal(ops.tensor([[2.5]]).item(), 2.5);
    assert.deepEqual(f.transpose(0, 1).toArray(), [1, 4, 2, 5, 3, 6], 'non-contiguous views read row-major');
    assert.deepEqual(ops.zeros([0, 3]).toArray(), []);
  }),
);

test('scalar operands follow Python scalar promotion', { skip }, () =>
  tidy(() => {
    assert.equal(ops.arange(3).add(1).dtype, 'int64');
    assert.equal(ops.arange(3).mul(0.5).dtype, 'float32');
    assert.equal(ops.ones([2], { dtype: 'float64' }).mul(0.5).dtype, 'float64');
    assert.deepEqual(ops.arange(0, 1, 0.25).toArray(), [0, 0.25, 0.5, 0.75]);
    assert.deepEqual(
      ops
        .tensor([1, 2])
        .sub(ops.tensor([3]))
        .toArray(),
      [-2, -1],
    );
  }),
);

test('tidy disposes intermediates, keeps returned and kept tensors, and nests', { skip }, () => {
  const base = liveTensorCount();
  let kept: Tensor | undefined;
  let inner: Tensor | undefined;
  const out = tidy(() => {
    const a = ops.ones([3]);
    kept = keep(a.mul(2));
    inner = tidy(() => a.add(1).mul(3)); // moves to the outer scope
    assert.equal(scopeDepth(), 1);
    return { sum: inner.add(a), list: [a.sub(1)] };
  });
  assert.equal(scopeDepth(), 0);
  assert.equal(inner!.isDisposed, true, 'inner result was not returned from the outer scope');
  assert.deepEqual(out.sum.toArray(), [7, 7, 7]);
  assert.deepEqual(out.list[0].toArray(), [0, 0, 0]);
  assert.deepEqual(kept!.toArray(), [2, 2, 2]);
  assert.equal(liveTensorCount(), base + 3);
  dispose([out, kept]);
  assert.equal(liveTensorCount(), base);
  assert.throws(() => kept!.toArray(), /after dispose/);
  kept!.dispose(); // twice is harmless
});

test('tidy disposes on throw and refuses async functions', { skip }, () => {
  const base = liveTensorCount();
  assert.throws(() =>
    tidy(() => {
      ops.ones([4]);
      throw new Error('boom');
    }),
  );
  assert.equal(liveTensorCount(), base);
  assert.throws(() => tidy(async () => ops.ones([1])), /synchronous/);
  assert.equal(liveTensorCount(), base);
});

test('autograd: grad access, accumulation, zeroGrad, noGrad / enableGrad, detach', { skip }, () =>
  tidy(() => {
    const x = ops.tensor([1, 2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    x.mul(x).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [4, 8, 12], 'gradients accumulate');
    x.zeroGrad(false);
    assert.deepEqual(x.grad!.toArray(), [0, 0, 0]);
    x.zeroGrad();
    assert.equal(x.grad, null);
    assert.equal(
      noGrad(() => x.mul(2).requiresGrad),
      false,
    );
    assert.equal(isGradEnabled(), true);
    assert.equal(
      noGrad(() => enableGrad(() => x.mul(2).requiresGrad)),
      true,
    );
    assert.equal(x.detach().requiresGrad, false);
    const y = ops.tensor([[1, 2]], { requiresGrad: true });
    y.matmul(y.transpose(0, 1)).backward(ops.ones([1, 1]));
    assert.deepEqual(y.grad!.toArray(), [2, 4]);
  }),
);

test(
  'embedding padding row gets no gradient; max returns indices; in-place init is untracked',
  { skip },
  () =>
    tidy(() => {
      const w = init.embeddingParams(4, 2, { paddingIdx: 0 });
      assert.deepEqual(w.slice(0, 0, 1).toArray(), [0, 0]);
      ops
        .embedding(ops.tensor([[0, 1, 0]], { dtype: 'int64' }), w, 0)
        .sum()
        .backward();
      assert.deepEqual(w.grad!.toArray(), [0, 0, 1, 1, 0, 0, 0, 0]);
      const m = ops
        .tensor([
          [1, 5, 2],
          [7, 0, 3],
        ])
        .max(1);
      assert.deepEqual(m.values.toArray(), [5, 7]);
      assert.deepEqual(Array.from(m.indices.toBigInt64Array()), [1n, 0n]);
      w.uniform_(-1, 1);
      assert.equal(w.requiresGrad, true);
      dispose(w);
    }),
);

test('parameter factories follow PyTorch shapes, bounds and are kept outside tidy', { skip }, () => {
  manualSeed(1);
  const lin = tidy(() => init.linearParams(100, 30));
  assert.equal(lin.weight.isDisposed, false);
  assert.equal(lin.weight.requiresGrad, true);
  const bound = 1 / Math.sqrt(100);
  assert.ok(lin.weight.toArray().every((v) => Math.abs(v) <= bound));
  assert.ok(lin.weight.toArray().some((v) => Math.abs(v) > bound * 0.9));
  const conv = init.conv2dParams(4, 8, [3, 5], { bias: false });
  assert.deepEqual(conv.weight.shape, [8, 4, 3, 5]);
  assert.equal(conv.bias, null);
  const bn = init.batchNormParams(3);
  assert.deepEqual(bn.runningVar.toArray(), [1, 1, 1]);
  assert.equal(bn.runningMean.requiresGrad, false);
  const g = init.gruParams(5, 6, { numLayers: 2 });
  assert.deepEqual(
    g.params.map((p) => p.shape),
    [[18, 5], [18, 6], [18], [18], [18, 6], [18, 6], [18], [18]],
  );
  const mha = init.multiHeadAttentionParams(8);
  assert.deepEqual(mha.inProjWeight.shape, [24, 8]);
  dispose([lin, conv, bn, g.params, mha]);
});

test('bad input raises JS errors with libtorch messages, never crashes', { skip }, () =>
  tidy(() => {
    assert.throws(() => ops.tensor([1, 2, 3], { shape: [2, 2] }), /needs 4 elements/);
    assert.throws(() => ops.tensor([[1, 2], [3]]), /ragged/);
    assert.throws(
      () => ops.ones([2, 3]).matmul(ops.ones([2, 3])),
      /shapes cannot be multiplied|mat1 and mat2/,
    );
    assert.throws(() => ops.ones([2]).view([3]), /invalid for input of size/);
    assert.throws(
      () => ops.crossEntropy(ops.ones([2, 3]), ops.tensor([0, 5], { dtype: 'int64' })),
      /out of bounds|Target/,
    );
    assert.throws(() => ops.ones([2, 2]).item(), /exactly one element/);
    assert.throws(() => ops.dropout(ops.ones([2]), 1.5), /p must be in/);
    assert.throws(() => manualSeed(-1), /non-negative/);
    assert.throws(() => ops.ones([2]).to('float32', 'cuda:7'), /CUDA|cuda/);
  }),
);

test('bad arguments checked in TypeScript are EmovoxParameterError naming the argument', { skip }, () =>
  tidy(() => {
    assert.throws(() => manualSeed(-1), { name: 'EmovoxParameterError', source: 'seed' });
    assert.throws(() => ops.tensor([1, 2, 3], { shape: [2, 2] }), EmovoxParameterError);
    assert.throws(() => ops.tensor([[1, 2], [3]]), { name: 'EmovoxParameterError', source: 'data' });
    assert.throws(() => tidy(async () => ops.ones([1])), { name: 'EmovoxParameterError', source: 'fn' });
  }),
);

test('runtime settings: thread count and version', { skip }, () => {
  const n = getNumThreads();
  setNumThreads(1);
  assert.equal(getNumThreads(), 1);
  setNumThreads(n);
  assert.match(torchVersion(), /^\d+\.\d+\.\d+$/);
});
