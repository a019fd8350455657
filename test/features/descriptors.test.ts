// Golden tests for the spectral descriptors, zcr, rms and delta against the numpy port of
// librosa 0.10 (reference/features_golden.py). Tolerance 1e-4 relative to the array's max |value|
// (spectral contrast: its dB values cross zero, so relative-to-max is the meaningful scale).
// Both sides use float64; the residual is float32 storage (~1e-7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  delta,
  mfcc,
  rms,
  spectralBandwidth,
  spectralCentroid,
  spectralContrast,
  spectralFlatness,
  spectralRolloff,
  spectrogram,
  zeroCrossingRate,
} from '../../src/features/index.js';
import { EmovoxInputError } from '../../src/util/errors.js';
import { SIGNALS, golden, relError, signal } from './golden.js';

const TOL = 1e-4;

for (const name of SIGNALS) {
  test(`spectral centroid / bandwidth / rolloff / flatness / contrast match librosa on ${name}`, () => {
    const { y, sr } = signal(name);
    const cases = {
      centroid: spectralCentroid(y, sr),
      bandwidth: spectralBandwidth(y, sr),
      rolloff: spectralRolloff(y, sr),
      flatness: spectralFlatness(y, sr),
      contrast: spectralContrast(y, sr),
    };
    for (const [key, actual] of Object.entries(cases)) {
      const err = relError(actual, golden(`${name}_${key}`));
      assert.ok(err < TOL, `${key}: ${err}`);
    }
    // the same from a precomputed magnitude spectrogram
    const S = spectrogram(y);
    assert.ok(relError(spectralCentroid(null, sr, { S }), golden(`${name}_centroid`)) < TOL);
    assert.equal(cases.contrast.bins, 7);
  });

  test(`zeroCrossingRate, rms and delta (order 1, 2) match librosa on ${name}`, () => {
    const { y, sr } = signal(name);
    assert.ok(relError(zeroCrossingRate(y), golden(`${name}_zcr`)) < TOL, 'zcr');
    assert.ok(relError(rms(y), golden(`${name}_rms`)) < TOL, 'rms');
    const m = mfcc(y, sr);
    assert.ok(relError(delta(m), golden(`${name}_mfcc20_delta1`)) < TOL, 'delta 1');
    assert.ok(relError(delta(m, { order: 2 }), golden(`${name}_mfcc20_delta2`)) < TOL, 'delta 2');
  });
}

test('rms from a spectrogram (Parseval) agrees with rms from samples for a stationary tone', () => {
  const sr = 16000;
  const y = new Float32Array(sr).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / sr));
  const fromY = rms(y, { frameLength: 2048, center: false });
  const S = spectrogram(y, { nFft: 2048, hopLength: 512, center: false, window: 'ones' });
  const fromS = rms(null, { S, frameLength: 2048 });
  for (let t = 0; t < fromS.frames; t++) assert.ok(Math.abs(fromS.data[t] - fromY.data[t]) < 1e-3);
  assert.ok(Math.abs(fromY.data[3] - 0.5 / Math.SQRT2) < 5e-3);
});

test('delta of a linear ramp is its slope everywhere, including the edges', () => {
  const frames = 20;
  const data = new Float32Array(frames * 2);
  for (let t = 0; t < frames; t++) {
    data[t * 2] = 3 * t + 1;
    data[t * 2 + 1] = -0.5 * t * t;
  }
  const d1 = delta({ data, frames, bins: 2 });
  const d2 = delta({ data, frames, bins: 2 }, { order: 2 });
  for (let t = 0; t < frames; t++) {
    assert.ok(Math.abs(d1.data[t * 2] - 3) < 1e-5);
    assert.ok(Math.abs(d2.data[t * 2 + 1] - -1) < 1e-5);
  }
});

test('descriptors reject invalid parameters with EmovoxInputError', () => {
  const y = new Float32Array(4096).fill(0.1);
  assert.throws(() => spectralRolloff(y, 16000, { rollPercent: 1.5 }), EmovoxInputError);
  assert.throws(() => spectralContrast(y, 16000, { fmin: 2000, nBands: 6 }), EmovoxInputError);
  assert.throws(() => delta({ data: new Float32Array(5), frames: 5, bins: 1 }), EmovoxInputError);
  assert.throws(
    () => delta({ data: new Float32Array(20), frames: 20, bins: 1 }, { width: 4 }),
    EmovoxInputError,
  );
  assert.throws(
    () => zeroCrossingRate(new Float32Array(10), { frameLength: 64, center: false }),
    EmovoxInputError,
  );
  // silence is valid input: centroid 0, flatness 1 (all bins floored at amin)
  assert.equal(spectralCentroid(new Float32Array(4096), 16000).data[0], 0);
  assert.ok(Math.abs(spectralFlatness(new Float32Array(4096), 16000).data[0] - 1) < 1e-6);
});
