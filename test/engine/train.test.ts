// End-to-end learning with the engine's optimizers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Adam,
  AdamW,
  SGD,
  clipGradNorm,
  dispose,
  init,
  manualSeed,
  noGrad,
  ops,
  tidy,
  type Optimizer,
  type Tensor,
} from '../../src/engine/index.js';
import { engineSkip } from './helpers.js';

const skip = engineSkip();

function xorAccuracy(makeOpt: (params: Tensor[]) => Optimizer, steps: number): number {
  manualSeed(3);
  const l1 = init.linearParams(2, 16);
  const l2 = init.linearParams(16, 2);
  const params = [l1.weight, l1.bias!, l2.weight, l2.bias!];
  const opt = makeOpt(params);
  const x = ops.tensor([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
  const y = ops.tensor([0, 1, 1, 0], { dtype: 'int64' });
  const forward = () => ops.linear(ops.linear(x, l1.weight, l1.bias).tanh(), l2.weight, l2.bias);
  for (let i = 0; i < steps; i++) {
    tidy(() => {
      opt.zeroGrad();
      ops.crossEntropy(forward(), y).backward();
      clipGradNorm(params, 5);
      opt.step();
    });
  }
  const acc = noGrad(() => tidy(() => forward().argmax(1).eq(y).float().mean().item()));
  opt.dispose();
  dispose([params, x, y]);
  return acc;
}

test('an MLP learns XOR to 100% with Adam, AdamW and SGD+momentum', { skip }, () => {
  assert.equal(
    xorAccuracy((p) => new Adam(p, { lr: 0.05 }), 300),
    1,
  );
  assert.equal(
    xorAccuracy((p) => new AdamW(p, { lr: 0.05, weightDecay: 1e-3 }), 300),
    1,
  );
  assert.equal(
    xorAccuracy((p) => new SGD(p, { lr: 0.2, momentum: 0.9 }), 300),
    1,
  );
});

test('a conv1d + BiLSTM + batch-norm classifier separates 3 synthetic sequence classes', { skip }, () => {
  manualSeed(11);
  const n = 48;
  const T = 20;
  const C = 3;
  // class k = sinusoid of frequency k+1 plus noise, 2 channels
  const xs = new Float32Array(n * 2 * T);
  const ys = new BigInt64Array(n);
  const noise = ops.randn([n * 2 * T]).mul(0.3);
  const nz = noise.toFloat32Array();
  noise.dispose();
  for (let i = 0; i < n; i++) {
    const k = i % C;
    ys[i] = BigInt(k);
    for (let t = 0; t < T; t++) {
      xs[i * 2 * T + t] = Math.sin(((k + 1) * 2 * Math.PI * t) / T) + nz[i * 2 * T + t];
      xs[i * 2 * T + T + t] = Math.cos(((k + 1) * 2 * Math.PI * t) / T) + nz[i * 2 * T + T + t];
    }
  }
  const x = ops.tensor(xs, { shape: [n, 2, T] });
  const y = ops.tensor(ys);
  const conv = init.conv1dParams(2, 8, 3);
  const bn = init.batchNormParams(8);
  const rnn = init.lstmParams(8, 8, { bidirectional: true });
  const head = init.linearParams(16, C);
  const params = [conv.weight, conv.bias!, bn.weight, bn.bias, ...rnn.params, head.weight, head.bias!];
  const forward = (training: boolean) => {
    let h = ops.conv1d(x, conv.weight, conv.bias, { padding: 1 });
    h = ops.batchNorm(h, { ...bn, training }).relu();
    h = ops.dropout(h, 0.1, training);
    const out = ops.lstm(h.transpose(1, 2), rnn.params, { bidirectional: true, training }).output;
    return ops.linear(out.mean(1), head.weight, head.bias);
  };
  const opt = new AdamW(params, { lr: 0.02 });
  for (let i = 0; i < 60; i++) {
    tidy(() => {
      opt.zeroGrad();
      ops.crossEntropy(forward(true), y, { labelSmoothing: 0.05 }).backward();
      opt.step();
    });
  }
  const acc = noGrad(() => tidy(() => forward(false).argmax(1).eq(y).float().mean().item()));
  assert.equal(acc, 1, `accuracy ${acc}`);
  opt.dispose();
  dispose([x, y, conv, bn, rnn.params, head]);
});
