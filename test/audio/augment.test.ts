import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import FFT from 'fft.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/data.js';
import { dftPower } from './helpers.js';
import {
  addNoise,
  applyGain,
  augmentPipeline,
  coloredNoise,
  mixNoise,
  pitchShift,
  specAugment,
  speedPerturb,
  timeShift,
  timeStretch,
} from '../../src/audio/index.js';
import { featureMatrix } from '../../src/dsp/matrix.js';
import { deriveSeed, mulberry32 } from '../../src/util/random.js';

const SR = 16000;

function tone(freq: number, seconds: number, sr = SR, amp = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * sr) },
    (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / sr),
  );
}

function power(y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i] * y[i];
  return s / y.length;
}

function measuredSnr(clean: Float32Array, noisy: Float32Array): number {
  const diff = Float32Array.from(noisy, (v, i) => v - clean[i]);
  return 10 * Math.log10(power(clean) / power(diff));
}

/** Frequency of the strongest sinusoid in [lo, hi] Hz (DFT scan, then a 0.01 Hz refinement). */
function f0(y: Float32Array, sr: number, lo: number, hi: number): number {
  const at = (f: number) => dftPower(y, sr, f);
  let best = lo;
  for (let f = lo; f <= hi; f += 1) if (at(f) > at(best)) best = f;
  let fine = best;
  for (let f = best - 1; f <= best + 1; f += 0.01) if (at(f) > at(fine)) fine = f;
  return fine;
}

/** Welch power in [lo, hi) Hz: mean |FFT|^2 over 1024-sample Hann frames. */
function bandPower(y: Float64Array, sr: number, lo: number, hi: number): number {
  const n = 1024;
  const fft = new FFT(n);
  const out = fft.createComplexArray() as number[];
  const frame = new Array<number>(n);
  let total = 0;
  for (let start = 0; start + n <= y.length; start += n / 2) {
    for (let i = 0; i < n; i++) frame[i] = y[start + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
    fft.realTransform(out, frame);
    for (let k = Math.ceil((lo * n) / sr); k < (hi * n) / sr; k++)
      total += out[2 * k] ** 2 + out[2 * k + 1] ** 2;
  }
  return total;
}

describe('seeded PRNG', () => {
  test('mulberry32 is reproducible, uniform-ish, and normal() has unit variance', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    const xs = Array.from({ length: 20000 }, () => a.next());
    assert.deepEqual(
      xs.slice(0, 5),
      Array.from({ length: 5 }, () => b.next()),
    );
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    assert.ok(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5) < 0.01);
    const g = mulberry32(5);
    const zs = Array.from({ length: 20000 }, () => g.normal());
    const mean = zs.reduce((s, z) => s + z, 0) / zs.length;
    const variance = zs.reduce((s, z) => s + (z - mean) ** 2, 0) / zs.length;
    assert.ok(Math.abs(mean) < 0.03 && Math.abs(variance - 1) < 0.03);
    assert.notEqual(deriveSeed(1, 0), deriveSeed(1, 1));
    assert.notEqual(deriveSeed(1, 0), deriveSeed(2, 0));
    assert.notEqual(deriveSeed(1, 0, 0), deriveSeed(1, 0, 1));
    assert.equal(deriveSeed(7, 3, 2), deriveSeed(7, 3, 2));
  });
});

describe('noise at a target SNR', () => {
  const speechLike = Float32Array.from(
    tone(220, 1),
    (v, i) => v * (0.3 + 0.7 * Math.abs(Math.sin(i / 2000))),
  );

  for (const color of ['white', 'pink'] as const) {
    test(`${color} noise: achieved SNR within 0.1 dB of 0, 10 and 20 dB; seeded`, () => {
      for (const snr of [0, 10, 20]) {
        const noisy = addNoise(speechLike, snr, { color, seed: 3 });
        assert.ok(Math.abs(measuredSnr(speechLike, noisy) - snr) < 0.1, `${color} ${snr} dB`);
      }
      assert.deepEqual(
        addNoise(speechLike, 5, { color, seed: 1 }),
        addNoise(speechLike, 5, { color, seed: 1 }),
      );
      assert.notDeepEqual(
        addNoise(speechLike, 5, { color, seed: 1 }),
        addNoise(speechLike, 5, { color, seed: 2 }),
      );
    });
  }

  test('pink noise has equal power per octave (±1 dB), white gains 3 dB per octave', () => {
    const pink = coloredNoise(1 << 17, 'pink', 11);
    const white = coloredNoise(1 << 17, 'white', 11);
    const octaves = [125, 250, 500, 1000, 2000, 4000];
    for (let i = 0; i + 1 < octaves.length - 1; i++) {
      const [a, b, c] = [octaves[i], octaves[i + 1], octaves[i + 2]];
      const pinkStep = 10 * Math.log10(bandPower(pink, SR, b, c) / bandPower(pink, SR, a, b));
      const whiteStep = 10 * Math.log10(bandPower(white, SR, b, c) / bandPower(white, SR, a, b));
      assert.ok(Math.abs(pinkStep) < 1, `pink ${a}-${c} Hz: ${pinkStep.toFixed(2)} dB`);
      assert.ok(Math.abs(whiteStep - 3.01) < 0.5, `white ${a}-${c} Hz: ${whiteStep.toFixed(2)} dB`);
    }
  });

  test('mixNoise: recorded noise (looped from a seeded offset) at the target SNR within 0.1 dB', () => {
    const noise = Float32Array.from(coloredNoise(3000, 'white', 9)); // shorter than the signal: looped
    for (const snr of [-5, 5, 15]) {
      const mixed = mixNoise(speechLike, noise, snr, { seed: 4 });
      assert.ok(Math.abs(measuredSnr(speechLike, mixed) - snr) < 0.1);
    }
    assert.deepEqual(
      mixNoise(speechLike, noise, 5, { seed: 4 }),
      mixNoise(speechLike, noise, 5, { seed: 4 }),
    );
    assert.notDeepEqual(
      mixNoise(speechLike, noise, 5, { seed: 4 }),
      mixNoise(speechLike, noise, 5, { seed: 5 }),
    );
    assert.throws(() => mixNoise(new Float32Array(10), noise, 5), /signal is silent/);
    assert.throws(() => mixNoise(speechLike, new Float32Array(10), 5), /noise is silent/);
    assert.throws(() => addNoise(speechLike, NaN), /snrDb: must be finite/);
  });
});

describe('gain and shift', () => {
  test('applyGain scales by 10^(dB/20)', () => {
    const y = Float32Array.from([0.1, -0.2, 0.4]);
    assert.deepEqual(
      applyGain(y, 20),
      Float32Array.from(y, (v) => v * 10),
    );
    assert.ok(Math.abs(applyGain(y, -6.0206)[2] - 0.2) < 1e-5);
  });

  test('timeShift fills with zeros, or rotates with wrap; length is kept', () => {
    const y = Float32Array.from([1, 2, 3, 4, 5]);
    assert.deepEqual(Array.from(timeShift(y, 2)), [0, 0, 1, 2, 3]);
    assert.deepEqual(Array.from(timeShift(y, -2)), [3, 4, 5, 0, 0]);
    assert.deepEqual(Array.from(timeShift(y, 2, true)), [4, 5, 1, 2, 3]);
    assert.deepEqual(Array.from(timeShift(y, -7, true)), [3, 4, 5, 1, 2]);
    assert.deepEqual(Array.from(timeShift(y, 9)), [0, 0, 0, 0, 0]);
  });
});

describe('pitch, tempo and speed (phase vocoder as librosa.effects)', () => {
  const y = tone(220, 1);

  test('pitchShift +2 semitones moves 220 Hz to 246.9 Hz (±1 %), same length', () => {
    const shifted = pitchShift(y, SR, 2);
    assert.equal(shifted.length, y.length);
    const f = f0(shifted.subarray(2000, 14000), SR, 150, 350);
    assert.ok(Math.abs(f / (220 * 2 ** (2 / 12)) - 1) < 0.01, `f0 ${f}`);
    const down = pitchShift(y, SR, -3);
    assert.ok(Math.abs(f0(down.subarray(2000, 14000), SR, 150, 350) / (220 * 2 ** (-3 / 12)) - 1) < 0.01);
  });

  test('timeStretch rate 2 halves the length and keeps the pitch; rate 0.5 doubles it', () => {
    const fast = timeStretch(y, 2);
    assert.equal(fast.length, 8000);
    assert.ok(Math.abs(f0(fast.subarray(1000, 7000), SR, 150, 350) / 220 - 1) < 0.01);
    const slow = timeStretch(y, 0.5);
    assert.equal(slow.length, 32000);
    assert.ok(Math.abs(f0(slow.subarray(4000, 28000), SR, 150, 350) / 220 - 1) < 0.01);
    // The level is kept too (no gain drift from the vocoder or the overlap-add).
    assert.ok(Math.abs(10 * Math.log10(power(fast.subarray(1000, 7000)) / power(y))) < 0.5);
    assert.throws(() => timeStretch(y, 0), /rate: must be > 0/);
  });

  test('speedPerturb 1.1 shortens by 1.1 and raises the pitch by 1.1', () => {
    const sped = speedPerturb(y, SR, 1.1);
    assert.equal(sped.length, Math.ceil(16000 / 1.1));
    assert.ok(Math.abs(f0(sped.subarray(1000, 13000), SR, 150, 350) / 242 - 1) < 0.005);
  });
});

describe('SpecAugment masking', () => {
  const frames = 200;
  const bins = 64;
  const m = featureMatrix(
    Float32Array.from({ length: frames * bins }, (_, i) => 1 + (i % 7)),
    frames,
    bins,
  );

  test('masks whole rows / columns within the width bounds; deterministic; input untouched', () => {
    const before = Float32Array.from(m.data);
    const out = specAugment(m, { freqMasks: 1, freqWidth: 10, timeMasks: 1, timeWidth: 30, seed: 8 });
    assert.deepEqual(m.data, before);
    const maskedCols = Array.from({ length: bins }, (_, k) => k).filter((k) => {
      for (let t = 0; t < frames; t++) if (out.data[t * bins + k] !== 0) return false;
      return true;
    });
    const maskedRows = Array.from({ length: frames }, (_, t) => t).filter((t) =>
      out.data.subarray(t * bins, (t + 1) * bins).every((v) => v === 0),
    );
    assert.ok(maskedCols.length <= 10 && maskedRows.length <= 30);
    if (maskedCols.length > 1)
      assert.equal(maskedCols[maskedCols.length - 1] - maskedCols[0] + 1, maskedCols.length);
    let zeros = 0;
    for (const v of out.data) if (v === 0) zeros++;
    assert.equal(
      zeros,
      maskedCols.length * frames + maskedRows.length * bins - maskedCols.length * maskedRows.length,
    );
    assert.deepEqual(specAugment(m, { seed: 8 }).data, specAugment(m, { seed: 8 }).data);
    assert.notDeepEqual(specAugment(m, { seed: 8 }).data, specAugment(m, { seed: 9 }).data);
    const mean = specAugment(m, { maskValue: 'mean', freqWidth: 64, freqMasks: 3, seed: 2 });
    const avg = before.reduce((s, v) => s + v, 0) / before.length;
    assert.ok(mean.data.some((v) => Math.abs(v - avg) < 1e-5));
  });

  test('over many seeds the masks cover the allowed width range', () => {
    const widths = new Set<number>();
    for (let seed = 0; seed < 300; seed++) {
      const out = specAugment(m, { freqMasks: 1, freqWidth: 5, timeMasks: 0, seed });
      let cols = 0;
      for (let k = 0; k < bins; k++) if (out.data[k] === 0) cols++;
      widths.add(cols);
    }
    assert.deepEqual([...widths].sort(), [0, 1, 2, 3, 4, 5]);
  });
});

describe('augmentPipeline', () => {
  const y = tone(300, 0.5);
  const steps = [
    { op: 'gain', p: 0.5, params: { db: [-6, 6] } },
    { op: 'noise', p: 0.7, params: { snrDb: [10, 30], color: 'pink' } },
    { op: 'shift', p: 0.5, params: { seconds: [-0.05, 0.05] } },
    { op: 'pitch', p: 0.3, params: { semitones: [-2, 2] } },
  ] as const;

  test('a pure function of (signal, seed, index): same -> identical, different seed or index -> different', () => {
    const a = augmentPipeline(steps, 42);
    const b = augmentPipeline(steps, 42);
    const c = augmentPipeline(steps, 43);
    for (const index of [0, 1, 2]) assert.deepEqual(a(y, SR, index), b(y, SR, index));
    assert.notDeepEqual(a(y, SR, 0), c(y, SR, 0));
    const outputs = new Set([0, 1, 2, 3, 4, 5].map((i) => a(y, SR, i).slice(0, 50).join()));
    assert.ok(outputs.size >= 5);
    assert.deepEqual(y, tone(300, 0.5), 'input untouched');
  });

  test('probabilities are honoured (p = 0 never, p = 1 always, p = 0.5 about half)', () => {
    const never = augmentPipeline([{ op: 'gain', p: 0, params: { db: 6 } }], 1);
    const always = augmentPipeline([{ op: 'gain', p: 1, params: { db: 6 } }], 1);
    const half = augmentPipeline([{ op: 'gain', p: 0.5, params: { db: 6 } }], 1);
    let fired = 0;
    for (let i = 0; i < 400; i++) {
      assert.deepEqual(never(y, SR, i), y);
      assert.ok(Math.abs(always(y, SR, i)[100] / y[100] - 10 ** (6 / 20)) < 1e-5);
      if (half(y, SR, i)[100] !== y[100]) fired++;
    }
    assert.ok(fired > 160 && fired < 240, `fired ${fired} / 400`);
  });

  test('each op runs through the pipeline; bad steps are rejected', () => {
    const noise = Float32Array.from(coloredNoise(2000, 'white', 1));
    const all = augmentPipeline(
      [
        { op: 'mix', params: { noises: [noise], snrDb: 10 } },
        { op: 'speed', params: { factor: 0.9 } },
        { op: 'stretch', params: { rate: 1.25 } },
      ],
      5,
    );
    const out = all(y, SR, 0);
    assert.equal(out.length, Math.round(Math.ceil(8000 / 0.9) / 1.25));
    assert.throws(
      () => augmentPipeline([{ op: 'gain', p: 2, params: { db: 1 } }], 0),
      /p must be in \[0, 1\]/,
    );
    assert.throws(() => augmentPipeline([{ op: 'mix', params: { noises: [], snrDb: 1 } }], 0), /no noises/);
  });
});

describe('timeStretch matches a numpy port of librosa.effects.time_stretch', () => {
  const golden = JSON.parse(
    readFileSync(join(repoRoot, 'test/fixtures/audio/time_stretch_golden.json'), 'utf8'),
  ) as {
    cases: Array<{
      n: number;
      sr: number;
      rate: number;
      n_fft: number;
      hop: number;
      length: number;
      energy: number;
      every7: number[];
    }>;
  };
  for (const c of golden.cases) {
    test(`rate ${c.rate}, n_fft ${c.n_fft}, hop ${c.hop}: same length, samples within 1e-5, energy within 1e-4 relative`, () => {
      const y = Float32Array.from(
        { length: c.n },
        (_, i) =>
          0.4 * Math.sin((2 * Math.PI * 220 * i) / c.sr) +
          0.2 * Math.sin((2 * Math.PI * 1234.5 * i) / c.sr) * (i / c.n),
      );
      const z = timeStretch(y, c.rate, { nFft: c.n_fft, hopLength: c.hop });
      assert.equal(z.length, c.length);
      let worst = 0;
      c.every7.forEach((v, k) => (worst = Math.max(worst, Math.abs(z[k * 7] - v))));
      assert.ok(worst < 1e-5, `max abs difference ${worst}`);
      assert.ok(Math.abs((power(z) * z.length) / c.energy - 1) < 1e-4);
    });
  }
});
