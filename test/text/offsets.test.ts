// Per-class decision offsets (src/train/text-offsets.ts): the prior shift they apply, the dev
// tuning that recovers a class the model systematically under-scores, and the held-out check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classificationMetrics } from '../../src/eval/index.js';
import { applyOffsets, offsetsCrossCheck, tuneOffsets } from '../../src/train/text-offsets.js';
import { mulberry32 } from '../../src/util/random.js';

const classes = ['a', 'b', 'c'];

/**
 * Items whose true class gets the largest score, except that class c's probability is divided by
 * 8 before normalising: a calibrated model for a c-shy prior, so argmax rarely says c.
 */
function biased(n: number, seed: number): { y: Int32Array; p: Float32Array } {
  const random = mulberry32(seed);
  const y = Int32Array.from({ length: n }, (_, i) => i % 3);
  const p = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const s = [0, 1, 2].map((c) => Math.exp((c === y[i] ? 1.2 : 0) + random.next() * 1.5));
    s[2] /= 8;
    const sum = s[0] + s[1] + s[2];
    for (let c = 0; c < 3; c++) p[i * 3 + c] = s[c] / sum;
  }
  return { y, p };
}

const argmax = (p: Float32Array) =>
  Int32Array.from({ length: p.length / 3 }, (_, i) => {
    const row = Array.from(p.subarray(i * 3, i * 3 + 3));
    return row.indexOf(Math.max(...row));
  });

test('applyOffsets multiplies each class by e^b and renormalises rows', () => {
  const p = Float32Array.from([0.5, 0.25, 0.25, 0.1, 0.6, 0.3]);
  const q = applyOffsets(p, [0, Math.log(2), 0]);
  const expect = [0.5 / 1.25, 0.5 / 1.25, 0.25 / 1.25, 0.1 / 1.6, 1.2 / 1.6, 0.3 / 1.6];
  expect.forEach((v, i) => assert.ok(Math.abs(q[i] - v) < 1e-6, `${i}: ${q[i]} vs ${v}`));
  assert.deepEqual(Array.from(applyOffsets(p, [0, 0, 0])), Array.from(p));
  assert.throws(() => applyOffsets(p, [0, 0, 0, 0]), /offsets/);
});

test('tuneOffsets raises an under-scored class and improves weighted F1; the cross-check confirms it on held-out halves', () => {
  const { y, p } = biased(600, 1);
  const plain = classificationMetrics(y, argmax(p), classes);
  const tuned = tuneOffsets(y, p, classes, 'weightedF1', { range: 2.5, rounds: 3 });
  assert.ok(Math.abs(tuned.before - plain.weightedF1) < 1e-12);
  assert.ok(tuned.after > tuned.before + 0.05, `${tuned.before} -> ${tuned.after}`);
  // c's offset exceeds the others' (the model divides c by 8, i.e. log 8 ≈ 2.1 too low).
  assert.ok(
    tuned.offsets[2] > tuned.offsets[0] + 0.5 && tuned.offsets[2] > tuned.offsets[1] + 0.5,
    `${tuned.offsets}`,
  );
  assert.ok(Math.abs(tuned.offsets.reduce((a, b) => a + b, 0)) < 1e-9, 'offsets have mean 0');
  const shifted = classificationMetrics(y, argmax(applyOffsets(p, tuned.offsets)), classes);
  assert.ok(Math.abs(shifted.weightedF1 - tuned.after) < 1e-12);
  const check = offsetsCrossCheck(y, p, classes, 'weightedF1', 0, { range: 2.5, rounds: 3, repeats: 2 });
  assert.ok(check.with > check.without + 0.03, `held out: ${check.without} -> ${check.with}`);
  // Defaults: one pass over a grid of -0.5..0.5, still a gain here.
  const small = tuneOffsets(y, p, classes, 'weightedF1');
  assert.ok(small.after > small.before, `${small.before} -> ${small.after}`);
  assert.ok(Math.max(...small.offsets) - Math.min(...small.offsets) <= 1 + 1e-9, `${small.offsets}`);
});

test('tuneOffsets keeps zero offsets when nothing improves the metric', () => {
  const y = Int32Array.from([0, 1, 2, 0, 1, 2]);
  const p = new Float32Array(18);
  y.forEach((c, i) => {
    p.set([0.1, 0.1, 0.1], i * 3);
    p[i * 3 + c] = 0.8;
  });
  const tuned = tuneOffsets(y, p, classes, 'weightedF1');
  assert.deepEqual(tuned.offsets, [0, 0, 0]);
  assert.equal(tuned.after, 1);
  assert.throws(() => tuneOffsets(y, p.subarray(0, 9), classes, 'weightedF1'), /expected 6 × 3/);
});
