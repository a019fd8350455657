// vector180's fast chroma / tuning path computes the very bits of the direct librosa-style
// computation: the streaming piptrack peaks give the same tuning as piptrack's full output, the
// bin-major 12-row chroma product equals the row-by-row dense product, the one-pass mel bank
// equals the filter-by-filter sums, and the WebAssembly kernel equals the JavaScript path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { synthesizeSpeechLike } from '../../src/audio/index.js';
import { spectrogram } from '../../src/dsp/index.js';
import { chromaFrame, estimateTuning64, normalizeRows } from '../../src/features/chroma.js';
import { cachedChromaBank, chromaWeights64 } from '../../src/features/filters.js';
import { piptrack, pitchTuning, vector180 } from '../../src/features/index.js';
import { chromaKernelAvailable, setChromaKernelEnabled } from '../../src/features/wasm/chroma-kernel.js';
import { signal } from './golden.js';

const clips: Array<{ name: string; y: Float32Array; sr: number }> = [
  { name: 'vowel', ...signal('vowel') },
  { name: 'chirp', ...signal('chirp') },
  ...[0, 1, 2].map((seed) => ({
    name: `speech-like ${seed}`,
    y: synthesizeSpeechLike({ sampleRate: 22050, durationS: 2.2, seed, f0Hz: 110 + 50 * seed }),
    sr: 22050,
  })),
];

/** librosa.estimate_tuning from piptrack's full frames x bins output, as the reference does it. */
function tuningByPiptrack(S: { data: Float32Array; frames: number; bins: number }, sr: number): number {
  const { pitches, mags } = piptrack(S, sr);
  const selected: number[] = [];
  for (let i = 0; i < pitches.data.length; i++) if (pitches.data[i] > 0) selected.push(mags.data[i]);
  selected.sort((a, b) => a - b);
  const n = selected.length;
  const median = n === 0 ? 0 : n % 2 ? selected[(n - 1) / 2] : (selected[n / 2 - 1] + selected[n / 2]) / 2;
  const freqs: number[] = [];
  for (let i = 0; i < pitches.data.length; i++)
    if (pitches.data[i] > 0 && mags.data[i] >= median) freqs.push(pitches.data[i]);
  return pitchTuning(freqs);
}

for (const { name, y, sr } of clips) {
  test(`streaming piptrack peaks give piptrack's tuning exactly (${name})`, () => {
    // a float32 spectrogram, so that piptrack (float32 in, float32 out) sees the same numbers
    const S = spectrogram(y);
    const S64 = { data: Float64Array.from(S.data), frames: S.frames, bins: S.bins };
    assert.equal(estimateTuning64(S64, sr), tuningByPiptrack(S, sr));
  });
}

test('the bin-major chroma product is the dense product to the last bit', () => {
  for (const tuning of [0, 0.13, -0.37]) {
    const { w, rows, cols } = chromaWeights64(22050, 2048, { tuning });
    const bank = cachedChromaBank(22050, 2048, { nChroma: 12, tuning });
    const S = spectrogram(clips[2].y);
    const S64 = Float64Array.from(S.data);
    const fast = new Float64Array(12);
    for (let t = 0; t < S.frames; t += 7) {
      chromaFrame(bank, S64, t * cols, fast, 0);
      for (let c = 0; c < rows; c++) {
        let acc = 0;
        for (let k = 0; k < cols; k++) acc += w[c * cols + k] * S64[t * cols + k];
        assert.equal(fast[c], acc, `tuning ${tuning}, frame ${t}, row ${c}`);
      }
    }
    // 24-bin chroma takes the generic loop: same sums
    const b24 = cachedChromaBank(22050, 2048, { nChroma: 24, tuning });
    const w24 = chromaWeights64(22050, 2048, { nChroma: 24, tuning }).w;
    const out24 = new Float64Array(24);
    chromaFrame(b24, S64, 0, out24, 0);
    for (let c = 0; c < 24; c++) {
      let acc = 0;
      for (let k = 0; k < cols; k++) acc += w24[c * cols + k] * S64[k];
      assert.equal(out24[c], acc);
    }
  }
  const rowsData = Float64Array.of(0, 0, 0, 1, 3, 2);
  normalizeRows(rowsData, 2, 3, Infinity);
  assert.deepEqual(Array.from(rowsData), [0, 0, 0, 1 / 3, 1, 2 / 3]);
});

test(
  'vector180: the WebAssembly kernel and the JavaScript path give the same bits',
  { skip: !chromaKernelAvailable() && 'kernel unavailable' },
  () => {
    for (const { y, sr } of clips.filter((c) => c.sr === 22050)) {
      const withKernel = vector180(y, sr).values;
      try {
        setChromaKernelEnabled(false);
        assert.equal(chromaKernelAvailable(), false);
        assert.deepEqual(vector180(y, sr).values, withKernel);
      } finally {
        setChromaKernelEnabled(true);
      }
    }
  },
);

test('vector180 keeps the old two-pass computation to the last bit (mel, MFCC, chroma means)', async () => {
  // the computation vector180 replaced: full power spectrogram, dense chroma via chromaStft(S=|X|)
  const { chromaFromSpectrogram } = await import('../../src/features/chroma.js');
  const { fastPowerSpectrogram64, resolveStft } = await import('../../src/dsp/stft.js');
  const { sparseMelFilterbank } = await import('../../src/features/filters.js');
  const { powerToDbInPlace } = await import('../../src/dsp/db.js');
  const { dctCepstrum } = await import('../../src/dsp/dct.js');
  for (const { y, sr } of clips.filter((c) => c.sr === 22050)) {
    const power = fastPowerSpectrogram64(y, resolveStft({ nFft: 2048, hopLength: 512 }, 'test'), 'test');
    const { frames, bins } = power;
    const fb = sparseMelFilterbank(sr, 2048);
    const mel = new Float64Array(frames * fb.rows);
    for (let t = 0; t < frames; t++)
      for (let m = 0; m < fb.rows; m++) {
        let acc = 0;
        for (let j = 0; j < fb.length[m]; j++)
          acc += fb.weights[fb.offset[m] + j] * power.data[t * bins + fb.start[m] + j];
        mel[t * fb.rows + m] = acc;
      }
    const db = Float64Array.from(mel);
    powerToDbInPlace(db);
    const cep = dctCepstrum({ data: db, frames, bins: fb.rows }, 40, 0, 'test');
    const chroma = chromaFromSpectrogram({ data: power.data.map(Math.sqrt), frames, bins }, sr);
    const expected = new Float32Array(180);
    for (let k = 0; k < 40; k++) {
      let acc = 0;
      for (let t = 0; t < frames; t++) acc += cep.data[t * 40 + k];
      expected[k] = acc / frames;
    }
    for (let c = 0; c < 12; c++) {
      let acc = 0;
      for (let t = 0; t < frames; t++) acc += chroma.data[t * 12 + c];
      expected[40 + c] = acc / frames;
    }
    for (let m = 0; m < fb.rows; m++) {
      let acc = 0;
      for (let t = 0; t < frames; t++) acc += mel[t * fb.rows + m];
      expected[52 + m] = acc / frames;
    }
    assert.deepEqual(vector180(y, sr).values, expected);
  }
});
