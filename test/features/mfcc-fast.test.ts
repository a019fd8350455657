// The fused mel / MFCC hot path (float32 PFFFT, cosine window applied in the frequency domain,
// bin-pair mel bank, log per frame, top_db clip folded into a two-frames-at-a-time DCT) against a
// plain float64 composition of the public building blocks (spectrogram via fft.js, dense
// melFilterbank, powerToDb, DCT-II matrix), over the option combinations that pick different
// branches: Hann / Hamming / explicit window, nMels divisible by 4 or not, odd frame counts,
// center on / off, reflect padding, lifter, Float64Array input.
import '../../src/dsp/pffft-node.js'; // PFFFT as in the Node entry
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  melFilterbank,
  melSpectrogram,
  mfcc,
  powerToDb,
  spectrogram,
  type MfccOptions,
} from '../../src/features/index.js';
import { sparseMelFilterbank } from '../../src/features/filters.js';
import { EmovoxInputError } from '../../src/util/errors.js';

function noise(n: number, seed: number): Float32Array {
  const y = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    y[i] = (s / 2 ** 32 - 0.5) * 0.2 + 0.3 * Math.sin(i * 0.05) * Math.exp(-i / n);
  }
  return y;
}

/** mel power (frames x nMels) the slow way: float64 spectrogram times the dense filterbank. */
function referenceMel(y: Float32Array, sr: number, o: MfccOptions): { data: Float64Array; frames: number } {
  const spec = spectrogram(y, { ...o, power: 2 });
  const fb = melFilterbank(sr, o.nFft ?? 2048, o);
  const out = new Float64Array(spec.frames * fb.rows);
  for (let t = 0; t < spec.frames; t++)
    for (let m = 0; m < fb.rows; m++) {
      let acc = 0;
      for (let k = 0; k < fb.cols; k++) acc += fb.data[m * fb.cols + k] * spec.data[t * spec.bins + k];
      out[t * fb.rows + m] = acc;
    }
  return { data: out, frames: spec.frames };
}

function referenceMfcc(y: Float32Array, sr: number, o: MfccOptions): Float64Array {
  const nMels = o.nMels ?? 128;
  const nMfcc = o.nMfcc ?? 20;
  const lifter = o.lifter ?? 0;
  const mel = referenceMel(y, sr, o);
  const db = powerToDb({ data: Float32Array.from(mel.data), frames: mel.frames, bins: nMels });
  const out = new Float64Array(mel.frames * nMfcc);
  for (let t = 0; t < mel.frames; t++)
    for (let k = 0; k < nMfcc; k++) {
      const scale = k === 0 ? Math.sqrt(1 / nMels) : Math.sqrt(2 / nMels);
      let acc = 0;
      for (let i = 0; i < nMels; i++)
        acc += db.data[t * nMels + i] * scale * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * nMels));
      const lift = lifter > 0 ? 1 + (lifter / 2) * Math.sin((Math.PI * (k + 1)) / lifter) : 1;
      out[t * nMfcc + k] = acc * lift;
    }
  return out;
}

function relErr(ours: Float32Array, ref: Float64Array): number {
  assert.equal(ours.length, ref.length);
  let err = 0;
  let max = 0;
  for (let i = 0; i < ref.length; i++) {
    err = Math.max(err, Math.abs(ours[i] - ref[i]));
    max = Math.max(max, Math.abs(ref[i]));
  }
  return err / max;
}

const CASES: { name: string; sr: number; n: number; o: MfccOptions }[] = [
  {
    name: 'benchmark setting',
    sr: 16000,
    n: 16000,
    o: { nMfcc: 40, nFft: 2048, hopLength: 512, nMels: 128 },
  },
  { name: 'odd frame count', sr: 16000, n: 16000 + 512, o: { nMfcc: 40, nMels: 128, hopLength: 512 } },
  { name: 'hamming, 40 mels', sr: 22050, n: 11025, o: { window: 'hamming', nMels: 40, nMfcc: 13 } },
  { name: 'odd nMels, lifter', sr: 16000, n: 8000, o: { nMels: 27, nMfcc: 13, lifter: 22, nFft: 512 } },
  { name: 'nMels 2 mod 4', sr: 16000, n: 8000, o: { nMels: 26, nMfcc: 20, nFft: 512, hopLength: 160 } },
  { name: 'center off', sr: 16000, n: 9000, o: { center: false, nFft: 1024, hopLength: 256, nMels: 64 } },
  { name: 'reflect padding', sr: 16000, n: 7000, o: { padMode: 'reflect', nFft: 1024, nMels: 64 } },
  {
    name: 'explicit window, winLength < nFft',
    sr: 16000,
    n: 7000,
    o: {
      window: Float64Array.from({ length: 400 }, (_, i) => Math.sin((Math.PI * i) / 400)),
      winLength: 400,
      nFft: 512,
    },
  },
  {
    name: 'htk, fmin/fmax',
    sr: 16000,
    n: 8000,
    o: { htk: true, fmin: 60, fmax: 7000, nMels: 48, nFft: 1024 },
  },
];

for (const c of CASES) {
  test(`fused mfcc matches the float64 composition: ${c.name}`, () => {
    const y = noise(c.n, c.n);
    const ours = mfcc(y, c.sr, c.o);
    assert.ok(relErr(ours.data, referenceMfcc(y, c.sr, c.o)) < 1e-5);
    // the same through a Float64Array signal
    const y64 = Float64Array.from(y);
    assert.deepEqual(mfcc(y64, c.sr, c.o).data, ours.data);
    const mel = melSpectrogram(y, c.sr, c.o);
    assert.ok(relErr(mel.data, referenceMel(y, c.sr, c.o).data) < 1e-5);
  });
}

test('the Slaney and HTK mel banks have the bin-pair form, runs covering every used bin', () => {
  for (const fb of [
    sparseMelFilterbank(16000, 2048),
    sparseMelFilterbank(22050, 512, { htk: true, nMels: 40 }),
  ]) {
    const pairs = fb.pairs;
    assert.ok(pairs !== null);
    assert.equal(pairs.segStart[0], 0);
    assert.equal(pairs.segStart[pairs.segStart.length - 1], pairs.end - pairs.first);
    for (let j = 1; j < pairs.index.length; j++) assert.ok(pairs.index[j] >= pairs.index[j - 1]);
  }
  // one filter: no pair form, the sparse dot path is used
  assert.equal(sparseMelFilterbank(16000, 512, { nMels: 1 }).pairs, null);
  const y = noise(4000, 7);
  const one = melSpectrogram(y, 16000, { nMels: 1, nFft: 512 });
  assert.ok(relErr(one.data, referenceMel(y, 16000, { nMels: 1, nFft: 512 }).data) < 1e-5);
});

test('non-finite samples are still rejected with their index', () => {
  const y = noise(4000, 3);
  y[1234] = Number.NaN;
  assert.throws(
    () => mfcc(y, 16000),
    (e: unknown) => e instanceof EmovoxInputError && /sample 1234/.test(e.message),
  );
  y[1234] = 0;
  y[3999] = -Infinity;
  assert.throws(() => melSpectrogram(y, 16000), /sample 3999 is not finite/);
});
