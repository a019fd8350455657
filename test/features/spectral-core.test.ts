// Golden tests for stft / mel / mfcc / chroma against the numpy port of librosa 0.10
// (reference/features_golden.py, cross-checked there against torchaudio).
// Tolerance: max |ours - golden| / max |golden| < 1e-4 (the brief's target). Both sides compute
// in float64; the residual is the float32 storage of inputs and outputs (~1e-7), so 1e-4 leaves
// room for platform libm differences without hiding a wrong formula (those give > 1e-2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  amplitudeToDb,
  chromaFilterbank,
  chromaStft,
  hzToMel,
  melFilterbank,
  melSpectrogram,
  melToHz,
  mfcc,
  powerToDb,
  spectrogram,
  stft,
  magnitude,
  estimateTuning,
  dbToPower,
  pitchTuning,
} from '../../src/features/index.js';
import { EmovoxInputError } from '../../src/util/errors.js';
import { SIGNALS, firstFrames, golden, manifest, relError, signal } from './golden.js';

const TOL = 1e-4;

test('hzToMel / melToHz match librosa (Slaney and HTK) and invert each other', () => {
  const slaney = manifest.scalars.hz_to_mel as Record<string, number>;
  for (const [f, m] of Object.entries(slaney))
    assert.ok(Math.abs(hzToMel(Number(f)) - m) < 1e-9, `slaney ${f}`);
  const htk = manifest.scalars.hz_to_mel_htk as Record<string, number>;
  for (const [f, m] of Object.entries(htk))
    assert.ok(Math.abs(hzToMel(Number(f), true) - m) < 1e-9, `htk ${f}`);
  for (const f of [0, 123.4, 999.9, 1000, 5432.1]) {
    assert.ok(Math.abs(melToHz(hzToMel(f)) - f) < 1e-9);
    assert.ok(Math.abs(melToHz(hzToMel(f, true), true) - f) < 1e-9);
  }
});

test('stft magnitude matches the reference (first 8 frames of the chirp) and frame count is 1 + n/hop', () => {
  const { y } = signal('chirp');
  const spec = stft(y);
  assert.equal(spec.frames, 1 + Math.floor(y.length / 512));
  assert.equal(spec.bins, 1025);
  const err = relError(firstFrames(magnitude(spec), 8), golden('chirp_stft_mag_first8'));
  assert.ok(err < TOL, `stft rel err ${err}`);
  const mag = spectrogram(y);
  assert.ok(relError(firstFrames(mag, 8), golden('chirp_stft_mag_first8')) < TOL);
  const db = amplitudeToDb(firstFrames(mag, mag.frames), { ref: 'max' });
  assert.ok(relError(firstFrames(db, 8), golden('chirp_amp_db_first8')) < TOL);
});

test('stft works for non-power-of-two nFft (Bluestein path) like a direct DFT', () => {
  const y = new Float32Array(1000).map((_, i) => Math.sin(i * 0.05) + 0.25 * Math.cos(i * 0.9));
  const s = stft(y, { nFft: 400, hopLength: 160, center: false });
  assert.equal(s.frames, 1 + Math.floor((1000 - 400) / 160));
  const t = 2;
  for (const k of [0, 3, 57, 200]) {
    let re = 0;
    let im = 0;
    for (let n = 0; n < 400; n++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / 400);
      const x = y[t * 160 + n] * w;
      re += x * Math.cos((2 * Math.PI * k * n) / 400);
      im -= x * Math.sin((2 * Math.PI * k * n) / 400);
    }
    assert.ok(Math.abs(s.re[t * s.bins + k] - re) < 1e-3, `re bin ${k}`);
    assert.ok(Math.abs(s.im[t * s.bins + k] - im) < 1e-3, `im bin ${k}`);
  }
});

test('melFilterbank matches librosa.filters.mel (Slaney default and HTK/no-norm)', () => {
  const fb = melFilterbank(22050, 2048);
  assert.equal(fb.rows, 128);
  assert.equal(fb.cols, 1025);
  const rows = [0, 1, 10, 64, 127];
  const picked = new Float32Array(rows.length * fb.cols);
  rows.forEach((r, i) => picked.set(fb.data.subarray(r * fb.cols, (r + 1) * fb.cols), i * fb.cols));
  assert.ok(
    relError({ data: picked, frames: rows.length, bins: fb.cols }, golden('melfb_22050_2048_rows')) < TOL,
  );
  const htk = melFilterbank(16000, 512, { nMels: 40, fmin: 20, fmax: 7600, htk: true, norm: null });
  assert.ok(
    relError({ data: htk.data, frames: htk.rows, bins: htk.cols }, golden('melfb_16000_512_htk_40')) < TOL,
  );
});

test('chromaFilterbank matches librosa.filters.chroma (tuning 0 and 0.25)', () => {
  const a = chromaFilterbank(22050, 2048);
  assert.ok(relError({ data: a.data, frames: a.rows, bins: a.cols }, golden('chromafb_22050_2048')) < TOL);
  const b = chromaFilterbank(16000, 1024, { tuning: 0.25 });
  assert.ok(
    relError({ data: b.data, frames: b.rows, bins: b.cols }, golden('chromafb_16000_1024_t025')) < TOL,
  );
});

for (const name of SIGNALS) {
  test(`melSpectrogram / mfcc / powerToDb match librosa on ${name}`, () => {
    const { y, sr } = signal(name);
    const mel = melSpectrogram(y, sr);
    assert.ok(relError(mel, golden(`${name}_mel`)) < TOL, 'mel');
    assert.ok(relError(powerToDb(mel, { ref: 'max' }), golden(`${name}_mel_db_refmax`)) < TOL, 'mel dB');
    const m20 = mfcc(y, sr);
    assert.equal(m20.bins, 20);
    assert.ok(
      relError(m20, golden(`${name}_mfcc20`)) < TOL,
      `mfcc20 ${relError(m20, golden(`${name}_mfcc20`))}`,
    );
    const m40 = mfcc(y, sr, { nMfcc: 40 });
    assert.ok(relError(m40, golden(`${name}_mfcc40`)) < TOL, 'mfcc40');
  });

  test(`chromaStft matches librosa on ${name} (tuning=0, estimated tuning, magnitude S)`, () => {
    const { y, sr } = signal(name);
    assert.ok(relError(chromaStft(y, sr, { tuning: 0 }), golden(`${name}_chroma_t0`)) < TOL, 'tuning 0');
    const S = spectrogram(y, { power: 2 });
    assert.equal(estimateTuning(null, sr, { S }), manifest.scalars[`${name}_tuning_power`]);
    assert.ok(relError(chromaStft(y, sr), golden(`${name}_chroma_default`)) < TOL, 'default tuning');
    const mag = spectrogram(y);
    assert.equal(estimateTuning(null, sr, { S: mag }), manifest.scalars[`${name}_tuning_mag`]);
    assert.ok(relError(chromaStft(null, sr, { S: mag }), golden(`${name}_chroma_mag`)) < TOL, 'magnitude S');
  });
}

test('spectral functions reject bad input with EmovoxInputError', () => {
  assert.throws(() => stft(new Float32Array(0)), EmovoxInputError);
  assert.throws(() => melSpectrogram(Float32Array.of(0, NaN, 0), 16000), EmovoxInputError);
  assert.throws(() => mfcc(new Float32Array(4096), -1), EmovoxInputError);
  assert.throws(() => stft(new Float32Array(100), { nFft: 2048, center: false }), EmovoxInputError);
  assert.throws(() => stft(new Float32Array(100), { nFft: 256, winLength: 512 }), EmovoxInputError);
  assert.throws(() => mfcc(new Float32Array(4096), 16000, { nMfcc: 200 }), EmovoxInputError);
  assert.throws(() => melFilterbank(16000, 512, { fmin: 9000, fmax: 8000 }), EmovoxInputError);
});

test('the PFFFT float32 plan agrees with fft.js, and the fft.js fallback (EMOVOX_FFT=js) matches the goldens', async () => {
  const { pffftPlan } = await import('../../src/dsp/pffft.js');
  const plan = pffftPlan(2048);
  assert.ok(plan !== null, 'PFFFT WASM SIMD should load on Node 20');
  const x = new Float64Array(2048).map((_, i) => Math.sin(i * 0.1) + 0.3 * Math.cos(i * 1.9));
  const fast = new Float64Array(1025);
  plan.power(x, fast);
  const ref = spectrogram(Float32Array.from(x), { nFft: 2048, center: false, window: 'ones', power: 2 });
  let maxRef = 0;
  let maxErr = 0;
  for (let k = 0; k < 1025; k++) {
    maxRef = Math.max(maxRef, ref.data[k]);
    maxErr = Math.max(maxErr, Math.abs(ref.data[k] - fast[k]));
  }
  assert.ok(maxErr / maxRef < 1e-6, `pffft vs fft.js ${maxErr / maxRef}`);
  const { execFileSync } = await import('node:child_process');
  const script = [
    "import { mfcc } from './src/features/index.ts';",
    "import { golden, relError, signal } from './test/features/golden.ts';",
    "const { y, sr } = signal('vowel');",
    "console.log(relError(mfcc(y, sr), golden('vowel_mfcc20')));",
  ].join('\n');
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, EMOVOX_FFT: 'js' },
    encoding: 'utf8',
  });
  assert.ok(Number(out.trim()) < TOL, `fft.js path error ${out}`);
});

test('mfcc liftering, dbToPower and pitchTuning behave as librosa', () => {
  const { y, sr } = signal('vowel');
  assert.ok(relError(mfcc(y, sr, { lifter: 22 }), golden('vowel_mfcc20_lift22')) < TOL, 'lifter 22');
  const S = { data: Float32Array.of(1e-3, 0.5, 2), frames: 1, bins: 3 };
  const back = dbToPower(powerToDb(S, { topDb: null }));
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(back.data[i] - S.data[i]) / S.data[i] < 1e-5);
  // librosa's docstring example: notes at +25 cents give 0.25
  const freqs = Array.from({ length: 24 }, (_, n) => 55 * 2 ** ((n + 0.25) / 12));
  assert.equal(pitchTuning(freqs), 0.25);
  assert.equal(pitchTuning([]), 0);
});
