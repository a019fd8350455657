import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, ops, tidy } from '../../src/engine/index.js';
import {
  Activation,
  AdaptiveAvgPool,
  AvgPool,
  Dropout,
  LayerNorm,
  MaxPool,
} from '../../src/models/layers/basic.js';
import { GRU, LSTM } from '../../src/models/layers/recurrent.js';
import { MultiHeadAttention, lengthMask } from '../../src/models/layers/attention.js';
import { engineSkip } from './engine-helpers.js';
import { maxAbsDiff } from './golden.js';

const skip = engineSkip();

for (const [name, make] of [
  ['LSTM', () => new LSTM(3, 5, { layers: 2, bidirectional: true })],
  ['GRU', () => new GRU(3, 5, { layers: 2, bidirectional: true })],
] as const) {
  test(`${name} with lengths: valid frames ignore whatever fills the padding`, { skip }, () => {
    manualSeed(3);
    const rnn = make();
    rnn.eval();
    const names = rnn.namedParameters().map(([n]) => n);
    assert.ok(names.includes('weight_ih_l1_reverse') && names.includes('bias_hh_l0'));
    tidy(() => {
      const lengths = ops.tensor(Int32Array.from([6, 3]));
      const x = ops.randn([2, 6, 3]);
      const mask = lengthMask(lengths, 6).float().unsqueeze(2);
      const noisy = x.mul(mask).add(ops.randn([2, 6, 3]).mul(mask.neg().add(1)).mul(10));
      const a = rnn.forward(x, lengths).mul(mask);
      const b = rnn.forward(noisy, lengths).mul(mask);
      assert.deepEqual(a.shape, [2, 6, 10]);
      assert.ok(maxAbsDiff(a.toFloat32Array(), b.toFloat32Array()) < 1e-6);
      // A full-length sequence gives the same result through the fused path.
      const full = rnn.forward(x.slice(0, 0, 1)).toFloat32Array();
      assert.ok(maxAbsDiff(full, a.slice(0, 0, 1).toFloat32Array()) < 1e-5);
    });
    rnn.dispose();
  });
}

test('LayerNorm normalises the last axis; Dropout is the identity in eval mode', { skip }, () => {
  tidy(() => {
    const ln = new LayerNorm(8);
    const y = ln.forward(ops.randn([4, 8]).mul(3).add(2));
    assert.ok(y.mean(1).abs().amax().item() < 1e-5);
    assert.ok(Math.abs(y.var(1).mean().item() - 8 / 7) < 1e-3);
    const drop = new Dropout(0.5);
    const x = ops.ones([1000]);
    const trained = drop.forward(x);
    const zeros = trained.eq(0).float().sum().item();
    assert.ok(zeros > 350 && zeros < 650, `dropped ${zeros}`);
    assert.ok(Math.abs(trained.amax().item() - 2) < 1e-6);
    drop.eval();
    assert.equal(drop.forward(x).sum().item(), 1000);
    ln.dispose();
  });
});

test('pooling layers and activations compute what they say', { skip }, () => {
  tidy(() => {
    const x = ops.tensor([1, 5, 2, 8, 3, 3], { shape: [1, 1, 6] });
    assert.deepEqual(new MaxPool(2, 1).forward(x).toArray(), [5, 8, 3]);
    assert.deepEqual(new AvgPool(2, 1).forward(x).toArray(), [3, 5, 3]);
    assert.deepEqual(
      new AdaptiveAvgPool(1, 1).forward(x).toArray(),
      [22 / 6].map((v) => Math.fround(v)),
    );
    const img = ops.tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2] });
    assert.deepEqual(new MaxPool(2, 2).forward(img).toArray(), [4]);
    assert.deepEqual(new Activation('relu').forward(ops.tensor([-1, 2])).toArray(), [0, 2]);
    assert.ok(Math.abs(new Activation('sigmoid').forward(ops.tensor([0])).item() - 0.5) < 1e-7);
  });
});

test('MultiHeadAttention ignores padded keys', { skip }, () => {
  manualSeed(5);
  const mha = new MultiHeadAttention(8, 2);
  mha.eval();
  tidy(() => {
    const x = ops.randn([1, 5, 8]);
    const mask = lengthMask(ops.tensor(Int32Array.from([3])), 5);
    const changed = ops.cat([x.slice(1, 0, 3), ops.randn([1, 2, 8]).mul(100)], 1);
    const a = mha.forward(x, mask).slice(1, 0, 3).toFloat32Array();
    const b = mha.forward(changed, mask).slice(1, 0, 3).toFloat32Array();
    assert.ok(maxAbsDiff(a, b) < 1e-5);
  });
  mha.dispose();
});
