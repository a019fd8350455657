// The dsp core's own contracts: ISTFT inverts the STFT, the inverse FFT matches a direct DFT,
// one RMS framing serves audio and features, the DCT is scipy's orthonormal DCT-II, and PFFFT
// loads from bytes, a compiled module or a URL (and turns off cleanly).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  dct,
  dctBasis,
  featureMatrix,
  frameRms64,
  initPffft,
  istft,
  loadPffft,
  phaseVocoder,
  pffftAvailable,
  pffftPlan,
  RealFft,
  setPffftLoader,
  stft,
  stft64,
} from '../../src/dsp/index.js';
import { pffftWasmPath, registerNodePffft } from '../../src/dsp/pffft-node.js';
import { frameRms, timeStretch } from '../../src/audio/index.js';
import { mfcc, rms } from '../../src/features/index.js';

function testSignal(n: number): Float32Array {
  return Float32Array.from(
    { length: n },
    (_, i) => 0.5 * Math.sin(i * 0.031) + 0.25 * Math.sin(i * 0.37 + 1) + 0.1 * Math.cos(i * 1.3),
  );
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('STFT / ISTFT', () => {
  for (const [nFft, hop] of [
    [2048, 512],
    [512, 128],
    [400, 100],
  ]) {
    test(`istft(stft64(y)) gives y back (nFft ${nFft}, hop ${hop})`, () => {
      const y = testSignal(6000);
      const back = istft(stft64(y, { nFft, hopLength: hop }), { hopLength: hop, length: y.length });
      assert.ok(maxAbsDiff(back, y) < 1e-6, `max error ${maxAbsDiff(back, y)}`);
    });
  }

  test('stft64 holds the same transform as stft, in float64', () => {
    const y = testSignal(3000);
    const a = stft(y, { nFft: 256, hopLength: 64 });
    const b = stft64(y, { nFft: 256, hopLength: 64 });
    assert.equal(a.frames, b.frames);
    assert.deepEqual(a.re, Float32Array.from(b.re));
    assert.deepEqual(a.im, Float32Array.from(b.im));
  });

  test('without length, a centred istft drops nFft/2 samples at both ends', () => {
    const spec = stft64(testSignal(1000), { nFft: 256, hopLength: 64 });
    assert.equal(istft(spec, { hopLength: 64 }).length, 256 + 64 * (spec.frames - 1) - 256);
  });

  test('phaseVocoder at rate 1 keeps the spectrogram (magnitudes exactly, the signal to rounding)', () => {
    const y = testSignal(4096);
    const spec = stft64(y, { nFft: 512, hopLength: 128 });
    const same = phaseVocoder(spec, 1, 128);
    assert.equal(same.frames, spec.frames);
    for (let i = 0; i < spec.re.length; i += 97) {
      assert.ok(Math.abs(Math.hypot(same.re[i], same.im[i]) - Math.hypot(spec.re[i], spec.im[i])) < 1e-9);
    }
    assert.equal(phaseVocoder(spec, 2, 128).frames, Math.ceil(spec.frames / 2));
    assert.throws(() => phaseVocoder(spec, 0, 128), /rate/);
  });
});

describe('FFT', () => {
  for (const n of [8, 64, 30, 45]) {
    test(`RealFft.inverse matches a direct inverse DFT (n = ${n})`, () => {
      const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) + (i % 3) * 0.1);
      const fft = new RealFft(n);
      const bins = (n >> 1) + 1;
      const re = new Float64Array(bins);
      const im = new Float64Array(bins);
      fft.forward(x, re, im);
      const back = new Float64Array(n);
      fft.inverse(re, im, back);
      assert.ok(maxAbsDiff(back, x) < 1e-12, `round trip ${maxAbsDiff(back, x)}`);
    });
  }
});

test('one RMS framing: audio frameRms, features rms and dsp frameRms64 agree exactly', () => {
  const y = testSignal(5000);
  const core = frameRms64(y, 2048, 512, true, 'constant');
  assert.deepEqual(frameRms(y), core);
  assert.deepEqual(rms(y).data, Float32Array.from(core));
  const reflect = frameRms64(y, 400, 160, true, 'reflect');
  assert.deepEqual(
    rms(y, { frameLength: 400, hopLength: 160, padMode: 'reflect' }).data,
    Float32Array.from(reflect),
  );
});

test('dct is the orthonormal DCT-II (scipy norm="ortho") of each frame', () => {
  const n = 10;
  const row = Float32Array.from({ length: n }, (_, i) => Math.cos(i) + i / 7);
  const out = dct({ data: row, frames: 1, bins: n }, 4);
  for (let k = 0; k < 4; k++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += row[i] * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * n));
    s *= k === 0 ? Math.sqrt(1 / n) : Math.sqrt(2 / n);
    assert.ok(Math.abs(out.data[k] - s) < 1e-5, `k=${k}`);
  }
  const basis = dctBasis(3, 5);
  assert.equal(basis.length, 15);
  assert.ok(Math.abs(basis[0] - Math.sqrt(1 / 5)) < 1e-15);
});

describe('PFFFT loading', () => {
  const bytes = readFileSync(pffftWasmPath());
  const y = testSignal(22050);
  const ref = mfcc(y, 22050, { nMfcc: 13 });

  test('the Node entry loader provides PFFFT on first use', () => {
    assert.ok(pffftAvailable());
    assert.ok(pffftPlan(2048) !== null);
  });

  test('initPffft(null) falls back to fft.js with the same MFCCs within float32 rounding', () => {
    try {
      assert.equal(initPffft(null), false);
      assert.equal(pffftPlan(2048), null);
      const slow = mfcc(y, 22050, { nMfcc: 13 });
      let maxRef = 0;
      for (const v of ref.data) maxRef = Math.max(maxRef, Math.abs(v));
      assert.ok(maxAbsDiff(slow.data, ref.data) / maxRef < 1e-5);
    } finally {
      assert.equal(initPffft(bytes), true);
    }
    assert.deepEqual(mfcc(y, 22050, { nMfcc: 13 }).data, ref.data);
  });

  test('loadPffft takes bytes, a compiled module, a data: URL; bad bytes leave fft.js in use', async () => {
    try {
      assert.equal(await loadPffft(new Uint8Array(bytes)), true);
      assert.deepEqual(mfcc(y, 22050, { nMfcc: 13 }).data, ref.data);
      assert.equal(await loadPffft(await WebAssembly.compile(bytes)), true);
      assert.deepEqual(mfcc(y, 22050, { nMfcc: 13 }).data, ref.data);
      assert.equal(await loadPffft(`data:application/wasm;base64,${bytes.toString('base64')}`), true);
      assert.ok(pffftPlan(1024) !== null);
      assert.equal(await loadPffft(new Uint8Array([0, 1, 2, 3])), false);
      assert.equal(pffftPlan(2048), null);
    } finally {
      assert.equal(initPffft(bytes), true);
    }
  });

  test('a loader is consulted lazily and never overrides an explicit init', () => {
    let calls = 0;
    try {
      setPffftLoader(() => {
        calls++;
        return bytes;
      });
      assert.equal(calls, 0);
      assert.ok(pffftAvailable()); // explicit init from the previous tests still rules
      assert.equal(calls, 0);
    } finally {
      registerNodePffft();
    }
  });
});

test('bad arguments to the dsp core and the audio effects are EmovoxParameterError', () => {
  assert.throws(() => new RealFft(0), { name: 'EmovoxParameterError', source: 'size' });
  assert.throws(() => featureMatrix(new Float32Array(5), 2, 3), {
    name: 'EmovoxParameterError',
    source: 'data',
  });
  assert.throws(() => stft(testSignal(100), { hopLength: 0 }), {
    name: 'EmovoxParameterError',
    source: 'hopLength',
    message: /hopLength: must be an integer >= 1, got 0 \(stft\)/,
  });
  assert.throws(() => stft(testSignal(100), { window: 'blackman' as 'hann' }), {
    name: 'EmovoxParameterError',
    source: 'window',
  });
  assert.throws(() => timeStretch(testSignal(100), 1.1, { nFft: 1000 }), {
    name: 'EmovoxParameterError',
    source: 'nFft',
  });
  // problems with the signal itself are input errors naming the argument
  assert.throws(() => stft(Float32Array.of(0, NaN)), { name: 'EmovoxInputError', source: 'y' });
});
