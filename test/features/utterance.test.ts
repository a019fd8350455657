// Utterance-level vectors: functionals and vector180 against numpy (reference/features_golden.py),
// prosodic features and spectrogram images against signals with known properties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import {
  functionals,
  imageRgba,
  logMelImage,
  mfcc,
  prosodicFeatures,
  PROSODIC_NAMES,
  vector180,
} from '../../src/features/index.js';
import { toPng } from '../../src/extract/png.js';
import { EmovoxInputError } from '../../src/util/errors.js';
import { golden, relError, signal } from './golden.js';

function segmentError(actual: Float32Array, expected: Float32Array, from: number, to: number): number {
  return relError(
    { data: actual.slice(from, to), frames: 1, bins: to - from },
    { data: expected.slice(from, to), frames: 1, bins: to - from },
  );
}

for (const name of ['chirp', 'vowel']) {
  test(`vector180 matches the librosa recipe on ${name} (each block within 1e-4 of its max)`, () => {
    const { y, sr } = signal(name);
    const v = vector180(y, sr);
    const g = golden(`${name}_vector180`).data;
    assert.equal(v.values.length, 180);
    assert.equal(v.names.length, 180);
    assert.equal(v.names[0], 'mfcc0_mean');
    assert.equal(v.names[40], 'chroma_C_mean');
    assert.equal(v.names[179], 'mel127_mean');
    assert.ok(segmentError(v.values, g, 0, 40) < 1e-4, 'mfcc block');
    assert.ok(segmentError(v.values, g, 40, 52) < 1e-4, 'chroma block');
    assert.ok(segmentError(v.values, g, 52, 180) < 1e-4, 'mel block');
  });
}

test('vector180 refuses audio that is not at 22050 Hz', () => {
  assert.throws(() => vector180(new Float32Array(16000), 16000), EmovoxInputError);
});

test('functionals of MFCC match numpy (mean, std, min, max, p10/50/90, slope, and on deltas)', () => {
  const { y, sr } = signal('vowel');
  const f = functionals(mfcc(y, sr), { prefix: 'mfcc' });
  assert.equal(f.values.length, 20 * 8 * 2);
  assert.equal(f.names[0], 'mfcc0_mean');
  assert.equal(f.names[3 * 8 + 1], 'mfcc3_std');
  assert.equal(f.names[20 * 8 + 3 * 8 + 1], 'mfcc3_delta_std');
  assert.ok(f.names.includes('mfcc19_delta_p90'));
  const g = golden('vowel_mfcc20_functionals').data;
  // per statistic, relative to that statistic's largest magnitude across columns
  for (let s = 0; s < 8; s++) {
    for (const base of [0, 160]) {
      const a = Float32Array.from({ length: 20 }, (_, k) => f.values[base + k * 8 + s]);
      const e = Float32Array.from({ length: 20 }, (_, k) => g[base + k * 8 + s]);
      assert.ok(segmentError(a, e, 0, 20) < 1e-4, `stat ${s} base ${base}`);
    }
  }
});

test('functionals skip NaN, handle short inputs and reject bad options', () => {
  const data = Float32Array.of(1, NaN, 3, 5);
  const f = functionals({ data, frames: 4, bins: 1 }, { stats: ['mean', 'min', 'max'], deltaOrders: [] });
  assert.deepEqual(Array.from(f.values), [3, 1, 5]);
  assert.deepEqual(f.names, ['f0_mean', 'f0_min', 'f0_max']);
  const short = functionals({ data: Float32Array.of(1, 2), frames: 2, bins: 1 }, { stats: ['mean'] });
  assert.deepEqual(Array.from(short.values), [1.5, 0]);
  assert.throws(
    () => functionals({ data: Float32Array.of(1), frames: 1, bins: 1 }, { percentiles: [120] }),
    EmovoxInputError,
  );
});

function harmonicTone(
  sr: number,
  seconds: number,
  f0: (t: number) => number,
  amp: (t: number) => number,
): Float32Array {
  const y = new Float32Array(Math.round(sr * seconds));
  let phase = 0;
  for (let i = 0; i < y.length; i++) {
    const t = i / sr;
    phase += (2 * Math.PI * f0(t)) / sr;
    let s = 0;
    for (let h = 1; h <= 8; h++) s += Math.sin(h * phase) / h;
    y[i] = 0.3 * amp(t) * s;
  }
  return y;
}

test('prosodicFeatures: pitch in semitones re 27.5 Hz, voicing, jitter/shimmer proxies react to perturbation', () => {
  const sr = 16000;
  const steady = prosodicFeatures(
    harmonicTone(
      sr,
      1,
      () => 200,
      () => 1,
    ),
    sr,
  );
  assert.deepEqual(steady.names, [...PROSODIC_NAMES]);
  const v = Object.fromEntries(steady.names.map((n, i) => [n, steady.values[i]]));
  const expected = 12 * Math.log2(200 / 27.5);
  assert.ok(Math.abs(v.f0SemitoneMean - expected) < 0.2, `mean ${v.f0SemitoneMean} vs ${expected}`);
  assert.ok(v.voicedRatio > 0.8);
  assert.ok(v.f0SemitoneStd < 0.2);
  assert.ok(v.alphaRatioDb > 0, 'energy is concentrated below 1 kHz');
  const wobbly = prosodicFeatures(
    harmonicTone(
      sr,
      1,
      (t) => 200 * (1 + 0.06 * Math.sin(2 * Math.PI * 9 * t)),
      (t) => 1 + 0.5 * Math.sin(2 * Math.PI * 11 * t),
    ),
    sr,
  );
  const w = Object.fromEntries(wobbly.names.map((n, i) => [n, wobbly.values[i]]));
  assert.ok(w.jitterLike > 3 * v.jitterLike + 1e-3, `jitter ${w.jitterLike} vs ${v.jitterLike}`);
  assert.ok(w.shimmerLike > 3 * v.shimmerLike + 1e-3, `shimmer ${w.shimmerLike} vs ${v.shimmerLike}`);
  assert.ok(w.f0SemitoneStd > v.f0SemitoneStd);
  const silent = prosodicFeatures(new Float32Array(sr), sr);
  assert.equal(silent.values[PROSODIC_NAMES.indexOf('voicedRatio')], 0);
  assert.ok(silent.values.every((x) => Number.isFinite(x)));
  assert.throws(() => prosodicFeatures(new Float32Array(100), 4000), EmovoxInputError);
});

test('logMelImage has a fixed size, values in [0, 1], and documented crop/pad/resize behaviour', () => {
  const { y, sr } = signal('vowel');
  const img = logMelImage(y, sr);
  assert.equal(img.frames, 128);
  assert.equal(img.bins, 128);
  assert.ok(img.data.every((v) => v >= 0 && v <= 1));
  assert.equal(Math.max(...img.data), 1);
  // the vowel has 35 frames: columns 35.. are padding (0)
  assert.ok(img.data.subarray(35 * 128).every((v) => v === 0));
  assert.ok(img.data.subarray(0, 35 * 128).some((v) => v > 0.5));
  const resized = logMelImage(y, sr, { frames: 64, fit: 'resize', nMels: 64 });
  assert.equal(resized.frames, 64);
  assert.equal(resized.bins, 64);
  assert.ok(
    resized.data.subarray(63 * 64).some((v) => v > 0),
    'resize stretches to the last column',
  );
  const cropped = logMelImage(y, sr, { frames: 10 });
  assert.equal(cropped.frames, 10);
  assert.ok(logMelImage(new Float32Array(4096), sr).data.every((v) => v === 0));
});

test('toPng (extract) writes the imageRgba (features) pixels as gray and viridis PNGs of frames x bins pixels, low bins at the bottom', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-png-'));
  try {
    const data = new Float32Array(4 * 3);
    data[0 * 3 + 0] = 1; // frame 0, bin 0 -> bottom-left
    data[3 * 3 + 2] = 0.5; // frame 3, bin 2 -> top-right
    const img = { data, frames: 4, bins: 3 };
    const path = join(dir, 'a.png');
    const bytes = toPng(img, path);
    assert.deepEqual(readFileSync(path), bytes);
    const png = PNG.sync.read(bytes);
    assert.equal(png.width, 4);
    assert.equal(png.height, 3);
    assert.equal(png.data[(2 * 4 + 0) * 4], 255);
    assert.equal(png.data[(0 * 4 + 3) * 4], 128);
    assert.equal(png.data[(0 * 4 + 0) * 4], 0);
    const vir = PNG.sync.read(toPng(img, undefined, { colormap: 'viridis' }));
    assert.deepEqual(Array.from(vir.data.subarray((2 * 4 + 0) * 4, (2 * 4 + 0) * 4 + 3)), [0xfd, 0xe7, 0x25]);
    assert.deepEqual(Array.from(vir.data.subarray(0, 3)), [0x44, 0x01, 0x54]);
    assert.throws(() => toPng(img, join(dir, 'missing', 'x.png')), EmovoxInputError);
    // the PNG holds exactly the pure imageRgba pixels
    assert.deepEqual(Uint8Array.from(png.data), Uint8Array.from(imageRgba(img).data));
    assert.throws(() => imageRgba({ data, frames: 5, bins: 3 }), EmovoxInputError);
    assert.throws(() => imageRgba(img, { colormap: 'jet' as 'gray' }), /unknown colormap/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
