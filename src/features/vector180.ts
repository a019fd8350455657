import { EmovoxParameterError } from '../util/errors.js';
import { chromaFromSpectrogram } from './chroma.js';
import { powerToDbInPlace } from '../dsp/db.js';
import { sparseMelFilterbank } from './filters.js';
import type { NamedVector } from './functionals.js';
import { dctCepstrum } from '../dsp/dct.js';
import { fastPowerSpectrogram64, resolveStft } from '../dsp/stft.js';
import { checkAudio, type AudioSamples } from '../dsp/validate.js';

/** Pitch-class names of the chroma bins (baseC: C first). */
export const CHROMA_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];

/** The only rate {@link vector180} accepts: the rate its librosa recipe assumes. */
export const VECTOR180_SAMPLE_RATE = 22050;

/**
 * The classic 180-value utterance vector of 1D-CNN speech-emotion recipes, computed as their
 * librosa code does at 22 050 Hz with librosa defaults (nFft 2048, hopLength 512, Hann,
 * center=true, zero padding):
 * - 40 values: time means of `mfcc(y, sr, nMfcc=40)` (names `mfcc0_mean` .. `mfcc39_mean`);
 * - 12 values: time means of `chroma_stft(S=|stft(y)|, sr)` (magnitude spectrogram, tuning
 *   estimated as librosa does; names `chroma_C_mean` .. `chroma_B_mean`);
 * - 128 values: time means of `melspectrogram(y, sr)` in power units, not dB
 *   (names `mel0_mean` .. `mel127_mean`).
 *
 * @param y mono signal **already at 22 050 Hz**: resample first (src/audio `resample`);
 *   any other rate throws EmovoxInputError rather than silently changing the features.
 * @param sr sample rate in Hz; must be 22050.
 */
export function vector180(y: AudioSamples, sr: number): NamedVector {
  const source = 'vector180';
  if (sr !== VECTOR180_SAMPLE_RATE) {
    throw new EmovoxParameterError(
      'sr',
      `vector180 expects audio at ${VECTOR180_SAMPLE_RATE} Hz, got ${sr} Hz: resample first`,
    );
  }
  checkAudio(y, source);
  const p = resolveStft({ nFft: 2048, hopLength: 512 }, source);
  // One STFT serves all three: |X|^2 for the mel bank and the MFCC, |X| for chroma. The FFT is
  // float32 (PFFFT) like librosa's complex64 STFT, see docs/features.md "Precision".
  const power = fastPowerSpectrogram64(y, p, source);
  const { frames, bins } = power;
  const fb = sparseMelFilterbank(sr, 2048);
  const mel = new Float64Array(frames * fb.rows);
  for (let t = 0; t < frames; t++) {
    const off = t * bins;
    for (let m = 0; m < fb.rows; m++) {
      let acc = 0;
      const s = off + fb.start[m];
      const o = fb.offset[m];
      for (let j = 0; j < fb.length[m]; j++) acc += fb.weights[o + j] * power.data[s + j];
      mel[t * fb.rows + m] = acc;
    }
  }
  const mag = { data: power.data.map(Math.sqrt), frames, bins };
  const values = new Float32Array(180);
  const names: string[] = [];
  const melMean = new Float64Array(fb.rows);
  for (let t = 0; t < frames; t++) for (let m = 0; m < fb.rows; m++) melMean[m] += mel[t * fb.rows + m];
  const melDb = Float64Array.from(mel);
  powerToDbInPlace(melDb);
  const cep = dctCepstrum({ data: melDb, frames, bins: fb.rows }, 40, 0, source);
  for (let k = 0; k < 40; k++) {
    let acc = 0;
    for (let t = 0; t < frames; t++) acc += cep.data[t * 40 + k];
    values[k] = acc / frames;
    names.push(`mfcc${k}_mean`);
  }
  const chroma = chromaFromSpectrogram(mag, sr);
  for (let c = 0; c < 12; c++) {
    let acc = 0;
    for (let t = 0; t < frames; t++) acc += chroma.data[t * 12 + c];
    values[40 + c] = acc / frames;
    names.push(`chroma_${CHROMA_NAMES[c]}_mean`);
  }
  for (let m = 0; m < fb.rows; m++) {
    values[52 + m] = melMean[m] / frames;
    names.push(`mel${m}_mean`);
  }
  return { values, names };
}
