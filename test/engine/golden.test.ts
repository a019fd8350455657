// Values against PyTorch 1.13 (fixture from reference/engine_golden.py, float64).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  Adam,
  AdamW,
  SGD,
  clipGradNorm,
  dispose,
  init,
  manualSeed,
  ops,
  tidy,
  type Optimizer,
  type Tensor,
} from '../../src/engine/index.js';
import { assertClose, engineSkip } from './helpers.js';

interface Arr {
  shape: number[];
  data: number[];
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Case = Record<string, any>;
const golden = JSON.parse(
  readFileSync(new URL('../fixtures/engine/golden.json', import.meta.url), 'utf8'),
) as {
  cases: Record<string, Case>;
};
const c = golden.cases;
const skip = engineSkip();

const T = (a: Arr, requiresGrad = false): Tensor =>
  ops.tensor(Float64Array.from(a.data), { shape: a.shape, dtype: 'float64', requiresGrad });
const L = (a: Arr): Tensor =>
  ops.tensor(BigInt64Array.from(a.data.map((v) => BigInt(v))), { shape: a.shape });
function same(actual: Tensor, expected: Arr, what: string, tol = 1e-9): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  assertClose(actual.toFloat64Array(), expected.data, tol, tol, what);
}

test('golden: linear, activations, softmax', { skip }, () =>
  tidy(() => {
    const k = c.linear;
    same(ops.linear(T(k.x), T(k.w), T(k.b)), k.out, 'linear');
    const a = c.activations;
    const x = T(a.x);
    same(x.gelu(), a.gelu, 'gelu');
    same(x.gelu('tanh'), a.gelu_tanh, 'gelu tanh');
    same(x.elu(0.7), a.elu, 'elu');
    same(x.leakyRelu(0.2), a.leaky_relu, 'leaky_relu');
    same(x.softmax(-1), a.softmax, 'softmax');
    same(x.logSoftmax(0), a.log_softmax0, 'log_softmax');
  }),
);

test('golden: convolutions and pooling', { skip }, () =>
  tidy(() => {
    const k1 = c.conv1d;
    same(ops.conv1d(T(k1.x), T(k1.w), T(k1.b), { stride: 2, padding: 1, groups: 2 }), k1.out, 'conv1d');
    const k2 = c.conv2d;
    same(
      ops.conv2d(T(k2.x), T(k2.w), T(k2.b), { stride: [2, 1], padding: [1, 0], dilation: [1, 2] }),
      k2.out,
      'conv2d',
    );
    const p = c.pool;
    const x2 = T(p.x);
    const x1 = T(k1.x);
    same(ops.maxPool2d(x2, 2, { stride: 2, padding: 1 }), p.max2d, 'max_pool2d');
    same(ops.avgPool2d(x2, [3, 2], { stride: [2, 2] }), p.avg2d, 'avg_pool2d');
    same(ops.adaptiveAvgPool2d(x2, [3, 4]), p.adaptive_avg2d, 'adaptive_avg_pool2d');
    same(ops.adaptiveMaxPool2d(x2, [2, 3]), p.adaptive_max2d, 'adaptive_max_pool2d');
    same(ops.maxPool1d(x1, 3, { stride: 2, ceilMode: true }), p.max1d, 'max_pool1d');
    same(ops.adaptiveAvgPool1d(x1, 4), p.adaptive_avg1d, 'adaptive_avg_pool1d');
  }),
);

test('golden: batch norm (train updates running stats; eval uses them) and layer norm', { skip }, () =>
  tidy(() => {
    const k = c.batch_norm;
    const rm = T(k.running_mean);
    const rv = T(k.running_var);
    const o = { weight: T(k.weight), bias: T(k.bias), runningMean: rm, runningVar: rv };
    same(ops.batchNorm(T(k.x), { ...o, training: true, momentum: 0.1 }), k.out_train, 'batch_norm train');
    same(rm, k.running_mean_after, 'running mean');
    same(rv, k.running_var_after, 'running var');
    const o2 = { ...o, runningMean: T(k.running_mean), runningVar: T(k.running_var) };
    same(ops.batchNorm(T(k.x), { ...o2, training: false }), k.out_eval, 'batch_norm eval');
    const l = c.layer_norm;
    same(ops.layerNorm(T(l.x), [5], T(l.weight), T(l.bias)), l.out, 'layer_norm');
  }),
);

test('golden: 2-layer bidirectional LSTM and bidirectional GRU with torch parameters', { skip }, () =>
  tidy(() => {
    const k = c.lstm;
    const r = ops.lstm(
      T(k.x),
      (k.params as Arr[]).map((p) => T(p)),
      { numLayers: 2, bidirectional: true },
    );
    same(r.output, k.out, 'lstm out');
    same(r.h, k.h, 'lstm h');
    same(r.c, k.c, 'lstm c');
    const names = init.lstmParams(3, 4, { numLayers: 2, bidirectional: true });
    assert.deepEqual(names.names, k.names, 'state_dict names and order');
    names.params.forEach((p, i) => assert.deepEqual(p.shape, (k.params as Arr[])[i].shape));
    dispose(names.params);
    const g = c.gru;
    const rg = ops.gru(
      T(g.x),
      (g.params as Arr[]).map((p) => T(p)),
      { bidirectional: true },
      T(g.h0),
    );
    same(rg.output, g.out, 'gru out');
    same(rg.h, g.h, 'gru h');
  }),
);

test('golden: multi-head attention matches torch.nn.MultiheadAttention', { skip }, () =>
  tidy(() => {
    const k = c.mha;
    const mask = L(k.key_padding_mask).to('bool');
    const r = ops.multiHeadAttention(
      T(k.q),
      T(k.kv),
      T(k.kv),
      {
        inProjWeight: T(k.in_proj_weight),
        inProjBias: T(k.in_proj_bias),
        outProjWeight: T(k.out_proj_weight),
        outProjBias: T(k.out_proj_bias),
      },
      k.heads,
      { keyPaddingMask: mask },
    );
    same(r.output, k.out, 'mha out');
    same(r.weights, k.weights, 'mha weights');
  }),
);

test('golden: cross entropy (class weights, label smoothing) and BCE with logits', { skip }, () =>
  tidy(() => {
    const k = c.cross_entropy;
    const logits = T(k.logits);
    const target = L(k.target);
    assertClose([ops.crossEntropy(logits, target).item()], [k.plain], 1e-12, 1e-12, 'ce');
    const ws = ops.crossEntropy(logits, target, { weight: T(k.weight), labelSmoothing: 0.1 }).item();
    assertClose([ws], [k.weighted_smoothed], 1e-12, 1e-12, 'ce weighted smoothed');
    same(ops.crossEntropy(logits, target, { reduction: 'none' }), k.none, 'ce none');
    const b = c.bce;
    const v = ops
      .binaryCrossEntropyWithLogits(T(b.logits), T(b.target), { posWeight: T(b.pos_weight) })
      .item();
    assertClose([v], [b.out], 1e-12, 1e-12, 'bce');
  }),
);

test('golden: Adam, AdamW, SGD (Nesterov) trajectories and clip_grad_norm_', { skip }, () => {
  const run = (make: (p: Tensor[]) => Optimizer): Tensor => {
    const p = T({ shape: [4], data: [0.5, -1, 2, 0.1] }, true);
    const opt = make([p]);
    for (let i = 0; i < 5; i++) {
      tidy(() => {
        opt.zeroGrad();
        const loss = p
          .sub(ops.tensor([1, 2, -1, 0], { dtype: 'float64' }))
          .pow(2)
          .mul(ops.tensor([1, 0.5, 2, 3], { dtype: 'float64' }))
          .sum();
        loss.backward();
        opt.step();
      });
    }
    opt.dispose();
    return p;
  };
  const o = c.optim;
  same(
    run((p) => new Adam(p, { lr: 0.1, weightDecay: 0.01 })),
    o.adam,
    'adam',
    1e-12,
  );
  same(
    run((p) => new AdamW(p, { lr: 0.1, weightDecay: 0.1 })),
    o.adamw,
    'adamw',
    1e-12,
  );
  same(
    run((p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 })),
    o.sgd,
    'sgd',
    1e-12,
  );
  tidy(() => {
    const g1 = T({ shape: [2], data: [3, 4] }, true);
    const g2 = T({ shape: [1], data: [12] }, true);
    g1.mul(ops.tensor([3, 4], { dtype: 'float64' }).div(2))
      .sum()
      .mul(2)
      .add(g2.mul(12).sum())
      .backward();
    // grads are now [3, 4] and [12], as in the reference
    const total = clipGradNorm([g1, g2], 1);
    assertClose([total], [c.clip.total], 1e-12, 1e-12, 'total norm');
    same(g1.grad!, c.clip.g1, 'clipped g1');
    same(g2.grad!, c.clip.g2, 'clipped g2');
  });
});

test('golden: default Linear init reproduces torch.manual_seed(7); nn.Linear(5, 3)', { skip }, () => {
  manualSeed(7);
  const p = init.linearParams(5, 3);
  same(p.weight, c.init_linear_seed7.weight, 'weight', 1e-7);
  same(p.bias!, c.init_linear_seed7.bias, 'bias', 1e-7);
  dispose(p);
});
