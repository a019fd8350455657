// Transition matrices and Viterbi decoding against the numpy port of librosa 0.11's sequence
// module (reference/features_golden.py).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  kronTransition,
  sparseTransition,
  transitionCycle,
  transitionLocal,
  transitionLoop,
  transitionUniform,
  viterbi,
  type Transition,
} from '../../src/features/index.js';
import { EmovoxParameterError } from '../../src/util/errors.js';
import { golden, manifest } from './golden.js';

function assertMatrix(t: Transition, name: string): void {
  const g = golden(name);
  assert.equal(t.states, g.frames, `${name} rows`);
  assert.equal(t.states, g.bins, `${name} columns`);
  for (let i = 0; i < g.data.length; i++)
    assert.ok(Math.abs(t.data[i] - g.data[i]) < 1e-7, `${name}[${i}]: ${t.data[i]} vs ${g.data[i]}`);
}

test('transition matrices match librosa.sequence', () => {
  assertMatrix(transitionUniform(4), 'seq_uniform_4');
  assertMatrix(transitionLoop(3, [0.8, 0.5, 0.25]), 'seq_loop_3');
  assertMatrix(transitionCycle(4, 0.9), 'seq_cycle_4');
  assertMatrix(transitionLocal(5, 3), 'seq_local_5_3');
  assertMatrix(transitionLocal(5, 3, { wrap: true }), 'seq_local_5_3_wrap');
  assertMatrix(transitionLocal(5, [1, 2, 3, 3, 1], { window: 'ones' }), 'seq_local_5_ones');
  assertMatrix(transitionLocal(7, 5, { window: 'hann' }), 'seq_local_7_hann');
});

test("viterbi reproduces librosa's docstring example (states [0, 0, 1], logp -4.1917)", () => {
  const expected = manifest.scalars.viterbi_wiki as { states: number[]; logp: number };
  // emovox layout: frames x states (librosa's prob is states x frames)
  const prob = { data: Float64Array.of(0.5, 0.1, 0.4, 0.3, 0.1, 0.6), frames: 3, bins: 2 };
  const transition = { states: 2, data: Float64Array.of(0.7, 0.3, 0.4, 0.6) };
  const path = viterbi(prob, transition, { pInit: [0.6, 0.4] });
  assert.deepEqual(Array.from(path.states), expected.states);
  assert.ok(Math.abs(path.logp - expected.logp) < 1e-12, `logp ${path.logp}`);
});

test('viterbi on a 6-state chain matches the port, dense and sparse', () => {
  const expected = manifest.scalars.viterbi_lcg as { states: number[]; logp: number };
  const obs = golden('seq_viterbi_obs');
  const trans = golden('seq_viterbi_trans');
  const prob = { data: Float64Array.from(obs.data), frames: obs.frames, bins: obs.bins };
  const transition = { states: 6, data: Float64Array.from(trans.data) };
  // the fixture holds float32 copies: renormalise rows so they sum to 1 again in float64
  for (let i = 0; i < 6; i++) {
    let sum = 0;
    for (let j = 0; j < 6; j++) sum += transition.data[i * 6 + j];
    for (let j = 0; j < 6; j++) transition.data[i * 6 + j] /= sum;
  }
  const dense = viterbi(prob, transition);
  assert.deepEqual(Array.from(dense.states), expected.states);
  assert.ok(Math.abs(dense.logp - expected.logp) < 1e-5, `logp ${dense.logp} vs ${expected.logp}`);
  // every entry is non-zero here, so the sparse form is the same model
  const sparse = viterbi(prob, sparseTransition(transition));
  assert.deepEqual(sparse.states, dense.states);
  assert.equal(sparse.logp, dense.logp);
});

test('the sparse Viterbi equals the dense one on a banded pyin-like chain (ties to the lowest state)', () => {
  const t = kronTransition(transitionLoop(2, 0.9), transitionLocal(40, 7));
  const frames = 60;
  const data = new Float64Array(frames * 80);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (1664525 * s + 1013904223) >>> 0;
    // coarse values make exact ties frequent
    data[i] = Math.floor((s / 2 ** 32) * 4) / 8;
  }
  const prob = { data, frames, bins: 80 };
  const a = viterbi(prob, t);
  const b = viterbi(prob, sparseTransition(t));
  // banded: the dense decoder's out-of-band log(tiny) = -708 never wins here
  assert.deepEqual(Array.from(b.states), Array.from(a.states));
  assert.equal(b.logp, a.logp);
});

test('sequence functions reject bad parameters with EmovoxParameterError', () => {
  assert.throws(() => transitionUniform(0), EmovoxParameterError);
  assert.throws(() => transitionLoop(1, 0.5), EmovoxParameterError);
  assert.throws(() => transitionLoop(3, [0.5, 0.5]), EmovoxParameterError);
  assert.throws(() => transitionCycle(3, 1.5), EmovoxParameterError);
  assert.throws(() => transitionLocal(5, 0), EmovoxParameterError);
  assert.throws(() => transitionLocal(5, 6), EmovoxParameterError);
  const t = transitionUniform(2);
  assert.throws(
    () => viterbi({ data: Float64Array.of(0.5, 1.5), frames: 1, bins: 2 }, t),
    /must lie in \[0, 1\]/,
  );
  assert.throws(
    () => viterbi({ data: Float64Array.of(0.5, 0.5), frames: 1, bins: 2 }, t, { pInit: [1, 1] }),
    /pInit/,
  );
  assert.throws(
    () =>
      viterbi(
        { data: Float64Array.of(0.5, 0.5), frames: 1, bins: 2 },
        { states: 2, data: Float64Array.of(1, 1, 0, 1) },
      ),
    /sums to 2/,
  );
});
