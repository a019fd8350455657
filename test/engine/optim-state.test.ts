// Optimizer state round trip: a fresh optimizer loaded with another's state continues exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Adam,
  AdamW,
  SGD,
  dispose,
  init,
  manualSeed,
  ops,
  tidy,
  type Optimizer,
  type Tensor,
} from '../../src/engine/index.js';
import { engineSkip } from './helpers.js';

const skip = engineSkip();

function makeParams(): Tensor[] {
  manualSeed(11);
  const l1 = init.linearParams(3, 5);
  const l2 = init.linearParams(5, 2);
  return [l1.weight, l1.bias!, l2.weight, l2.bias!];
}

function copyInto(dst: Tensor[], src: Tensor[]): void {
  tidy(() => dst.forEach((t, i) => t.copy_(src[i].detach())));
}

function train(params: Tensor[], opt: Optimizer, steps: number, offset: number): void {
  for (let s = 0; s < steps; s++) {
    tidy(() => {
      const x = ops.tensor(
        Array.from({ length: 8 }, (_, r) => [Math.sin(r + s + offset), Math.cos(r * 2 + s), (r % 3) - 1]),
      );
      const y = ops.tensor(
        Array.from({ length: 8 }, (_, r) => (r + s + offset) % 2),
        { dtype: 'int64' },
      );
      const logits = ops.linear(ops.linear(x, params[0], params[1]).tanh(), params[2], params[3]);
      opt.zeroGrad();
      ops.crossEntropy(logits, y).backward();
      opt.step();
    });
  }
}

const kinds: Array<[string, (p: Tensor[]) => Optimizer]> = [
  ['adam', (p) => new Adam(p, { lr: 0.01 })],
  ['adam amsgrad', (p) => new Adam(p, { lr: 0.01, amsgrad: true })],
  ['adamw', (p) => new AdamW(p, { lr: 0.01, weightDecay: 0.1 })],
  ['sgd momentum', (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true })],
];

for (const [name, make] of kinds) {
  test(`${name}: stateDict/loadStateDict continues bit for bit`, { skip }, () => {
    const a = makeParams();
    const optA = make(a);
    train(a, optA, 5, 0);
    const state = optA.stateDict();
    assert.equal(state.params.length, 4);
    assert.ok(state.params.every((p) => p !== null));
    if (name.startsWith('adam')) assert.equal(state.params[0].step, 5);
    if (name === 'adam amsgrad') assert.ok('maxExpAvgSq' in state.params[0].buffers);
    // A different model (b) that takes a's weights and state mid-run, as a resumed checkpoint does.
    const b = makeParams();
    copyInto(b, a);
    const optB = make(b);
    optB.lr = 0.5; // overwritten by the state's lr
    optB.loadStateDict(state);
    assert.equal(optB.lr, optA.lr);
    train(a, optA, 5, 5);
    train(b, optB, 5, 5);
    a.forEach((t, i) => assert.deepEqual(b[i].toFloat32Array(), t.toFloat32Array(), `${name} param ${i}`));
    optA.dispose();
    optB.dispose();
    dispose([a, b]);
  });
}

test('loadStateDict rejects another kind, parameter count or shape', { skip }, () => {
  const a = makeParams();
  const adam = new Adam(a);
  train(a, adam, 1, 0);
  const state = adam.stateDict();
  const sgd = new SGD(a, { lr: 0.1 });
  assert.throws(() => sgd.loadStateDict(state), /for adam, this optimizer is sgd/);
  const fewer = new Adam(a.slice(0, 2));
  assert.throws(() => fewer.loadStateDict(state), /4 parameters, this optimizer 2/);
  const swapped = new Adam([a[2], a[1], a[0], a[3]]);
  assert.throws(() => swapped.loadStateDict(state), /shape/);
  const fresh = new Adam(a);
  assert.deepEqual(fresh.stateDict().params, [null, null, null, null]);
  fresh.loadStateDict({ ...state, params: [null, null, null, null] });
  for (const o of [adam, sgd, fewer, swapped, fresh]) o.dispose();
  dispose(a);
});
