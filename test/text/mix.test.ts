// Mixing text recipe members (src/train/text-mix.ts): the simplex grid, the dev-chosen weights,
// and the held-out check that compares them with the plain average.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gridMix, mixCrossCheck, mixProbabilities, mixSteps, simplex } from '../../src/train/text-mix.js';
import { mulberry32 } from '../../src/util/random.js';

const classes = ['a', 'b', 'c'];

/** Probabilities that favour the true class by `signal` (0: pure noise), seeded. */
function member(y: Int32Array, signal: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const p = new Float32Array(y.length * 3);
  for (let i = 0; i < y.length; i++) {
    const s = [0, 1, 2].map((c) => Math.exp((c === y[i] ? signal : 0) + 2 * random.next()));
    const sum = s[0] + s[1] + s[2];
    for (let c = 0; c < 3; c++) p[i * 3 + c] = s[c] / sum;
  }
  return p;
}

test('simplex: every weight vector on the grid, each summing to 1; steps by member count', () => {
  const all = [...simplex(3, 10)];
  assert.equal(all.length, 66);
  for (const w of all) assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.equal(mixSteps(6), 10);
  assert.equal(mixSteps(7), 5);
  const mixed = mixProbabilities([Float32Array.from([1, 0]), Float32Array.from([0, 1])], [0.25, 0.75]);
  assert.deepEqual(Array.from(mixed), [0.25, 0.75]);
  assert.throws(() => mixProbabilities([Float32Array.from([1])], [0.5, 0.5]), /weights/);
});

test('gridMix puts the weight on the informative member; the held-out check prefers it to the average', () => {
  const y = Int32Array.from({ length: 600 }, (_, i) => i % 3);
  const good = member(y, 1.5, 1);
  const noise = member(y, 0, 2);
  const grid = gridMix(y, [noise, good], classes, 'weightedF1');
  assert.ok(grid.weights[1] >= 0.7, `${grid.weights}`);
  const check = mixCrossCheck(y, [noise, good], classes, 'weightedF1', 0, { repeats: 2 });
  assert.ok(check.grid > check.equal + 0.02, `held out: equal ${check.equal}, grid ${check.grid}`);
  for (const v of [check.equal, check.grid]) assert.ok(v > 0 && v <= 1);
  assert.throws(() => gridMix(y, [good.subarray(3)], classes, 'weightedF1'), /probabilities/);
  assert.deepEqual(gridMix(y, [good], classes, 'weightedF1').weights, [1]);
});

test('mixCrossCheck: two equally good members leave the grid no held-out edge over the average', () => {
  const y = Int32Array.from({ length: 400 }, (_, i) => i % 3);
  const parts = [member(y, 1, 3), member(y, 1, 4)];
  const check = mixCrossCheck(y, parts, classes, 'weightedF1', 0, { repeats: 3 });
  // The grid fits each half's noise; on the other half it does no better than equal weights
  // (within the noise of 200-item halves).
  assert.ok(check.grid <= check.equal + 0.02, `held out: equal ${check.equal}, grid ${check.grid}`);
});
