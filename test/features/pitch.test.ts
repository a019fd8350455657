// yin and pyin against the numpy port of librosa (reference/features_golden.py): 0.11 by
// default, 0.10 with librosaCompat: '0.10' (the two differ by up to 100 % on these signals).
// yin: 1e-4 relative. pyin: f0 1e-4 relative on the same frames, identical voiced flags, voiced
// probabilities 1e-4. pyin's Viterbi argmax could in principle flip on exact ties or when
// librosa's log(tiny) = -708 scores for out-of-band transitions mattered (we treat them as
// impossible); neither happens on these signals (the 'stress' one has 10 voicing switches),
// and the test would show it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { betaCdf, pyin, yin } from '../../src/features/index.js';
import { EmovoxInputError } from '../../src/util/errors.js';
import { golden, relError, signal } from './golden.js';

const col = (a: Float32Array) => ({ data: a, frames: a.length, bins: 1 });

for (const name of ['tone_noise', 'vowel', 'chirp', 'stress']) {
  for (const compat of ['0.11', '0.10'] as const) {
    const suffix = compat === '0.10' ? '_010' : '';
    test(`yin and pyin match librosa ${compat} on ${name}`, () => {
      const { y, sr } = signal(name);
      const fmax = Math.min(2093.004522404789, sr / 2);
      // the default is 0.11: no option needed for it
      const options = compat === '0.10' ? { fmax, librosaCompat: compat } : { fmax };
      assert.ok(relError(col(yin(y, sr, options)), golden(`${name}_yin${suffix}`)) < 1e-4, 'yin');
      const p = pyin(y, sr, options);
      const voiced = golden(`${name}_pyin_voiced${suffix}`);
      assert.deepEqual(Array.from(p.voicedFlag), Array.from(voiced.data), 'voiced flags');
      const f0 = p.f0.map((v) => (Number.isNaN(v) ? 0 : v));
      assert.ok(relError(col(f0), golden(`${name}_pyin_f0${suffix}`)) < 1e-4, 'f0');
      assert.ok(relError(col(p.voicedProb), golden(`${name}_pyin_vprob${suffix}`)) < 1e-4, 'voiced prob');
      for (let t = 0; t < p.f0.length; t++) assert.equal(Number.isNaN(p.f0[t]), p.voicedFlag[t] === 0);
    });
  }
}

test('pyin finds 220 Hz in the tone and reports high voicing probability', () => {
  const { y, sr } = signal('tone_noise');
  const p = pyin(y, sr, { fmax: 2000 });
  const mid = Math.floor(p.f0.length / 2);
  assert.ok(Math.abs(p.f0[mid] - 220) < 2, `f0 ${p.f0[mid]}`);
  assert.ok(p.voicedProb[mid] > 0.5);
});

test('betaCdf matches closed forms', () => {
  // I_x(2, 18) = 1 - (1 - x)^18 (1 + 18 x)
  for (const x of [0.01, 0.1, 0.37, 0.9]) {
    const exact = 1 - (1 - x) ** 18 * (1 + 18 * x);
    assert.ok(Math.abs(betaCdf(x, 2, 18) - exact) < 1e-13);
  }
  assert.ok(Math.abs(betaCdf(0.3, 1, 1) - 0.3) < 1e-14);
});

test('yin / pyin reject infeasible parameters', () => {
  const y = new Float32Array(8000);
  assert.throws(() => yin(y, 16000, { fmin: 100, fmax: 9000 }), EmovoxInputError);
  assert.throws(() => yin(y, 16000, { fmin: 300, fmax: 200 }), EmovoxInputError);
  // 0.11: one period of fmin must fit into the frame (16000 / 65 = 246 samples > 63)
  assert.throws(() => pyin(y, 16000, { fmin: 65, fmax: 400, frameLength: 64 }), /fmin: 65 is too small/);
  // 0.10: the lag range frameLength - winLength - 1 must exceed sr / fmax
  assert.throws(
    () => pyin(y, 16000, { fmin: 65, fmax: 400, frameLength: 64, librosaCompat: '0.10' }),
    /fmax: 400 is too small/,
  );
  // winLength exists only in 0.10 (librosa 0.11 deprecated it)
  assert.throws(() => yin(y, 16000, { winLength: 512 }), /librosaCompat '0.10'/);
  assert.doesNotThrow(() => yin(y, 16000, { winLength: 512, librosaCompat: '0.10' }));
  assert.throws(() => yin(y, 16000, { librosaCompat: '0.9' as '0.10' }), EmovoxInputError);
  // silence: every frame unvoiced
  const p = pyin(y, 16000, { fmax: 2000 });
  assert.ok(p.voicedFlag.every((v) => v === 0));
});

test('bad options are parameter errors naming the option and the function', () => {
  const y = new Float32Array(8000);
  assert.throws(() => yin(y, 16000, { hopLength: 0 }), {
    name: 'EmovoxParameterError',
    source: 'hopLength',
    message: /hopLength: must be an integer >= 1, got 0 \(yin\)/,
  });
  assert.throws(() => pyin(y, 16000, { switchProb: 2 }), {
    name: 'EmovoxParameterError',
    source: 'switchProb',
  });
  // a problem with the audio itself names the argument y
  assert.throws(() => yin(new Float32Array(0), 16000), { name: 'EmovoxInputError', source: 'y' });
});
