/**
 * Unit conversions, ported from librosa 0.10 / 0.11 `librosa.core.convert` (unchanged between them).
 */

const F_SP = 200.0 / 3;
const MIN_LOG_HZ = 1000.0;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOGSTEP = Math.log(6.4) / 27.0;

/**
 * Hz to mels (librosa.hz_to_mel). Slaney scale by default (linear below 1 kHz, logarithmic
 * above); `htk: true` uses `2595 * log10(1 + f / 700)`.
 */
export function hzToMel(frequency: number, htk = false): number {
  if (htk) return 2595.0 * Math.log10(1.0 + frequency / 700.0);
  if (frequency >= MIN_LOG_HZ) return MIN_LOG_MEL + Math.log(frequency / MIN_LOG_HZ) / LOGSTEP;
  return frequency / F_SP;
}

/** Mels to Hz (librosa.mel_to_hz), the inverse of {@link hzToMel} for the same `htk`. */
export function melToHz(mel: number, htk = false): number {
  if (htk) return 700.0 * (10.0 ** (mel / 2595.0) - 1.0);
  if (mel >= MIN_LOG_MEL) return MIN_LOG_HZ * Math.exp(LOGSTEP * (mel - MIN_LOG_MEL));
  return F_SP * mel;
}

/** numpy.linspace(start, stop, num) with its exact arithmetic (endpoint set to `stop`). */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  if (num === 1) {
    out[0] = start;
    return out;
  }
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/** Centre frequency (Hz) of each rFFT bin: librosa.fft_frequencies, length `1 + nFft / 2`. */
export function fftFrequencies(sr: number, nFft: number): Float64Array {
  const n = Math.floor(nFft / 2) + 1;
  const val = 1.0 / (nFft * (1.0 / sr));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = i * val;
  return out;
}

/** `nMels` frequencies (Hz) evenly spaced in mels between fmin and fmax (librosa.mel_frequencies). */
export function melFrequencies(nMels = 128, fmin = 0.0, fmax = 11025.0, htk = false): Float64Array {
  const mels = linspace(hzToMel(fmin, htk), hzToMel(fmax, htk), nMels);
  for (let i = 0; i < nMels; i++) mels[i] = melToHz(mels[i], htk);
  return mels;
}

/**
 * Hz to octave number (librosa.hz_to_octs): octave 0 starts at A0 = 27.5 Hz for tuning 0.
 * `tuning` is in fractions of a bin of `binsPerOctave`.
 */
export function hzToOcts(frequency: number, tuning = 0.0, binsPerOctave = 12): number {
  const a440 = 440.0 * 2.0 ** (tuning / binsPerOctave);
  return Math.log2(frequency / (a440 / 16));
}

/** Note name to Hz for the helpers that default to musical notes: C2 = 65.406 Hz, C7 = 2093.005 Hz. */
export const NOTE_C2_HZ = 440.0 * 2 ** ((36 - 69) / 12);
/** C7 in Hz (2093.005 Hz), the upper default of the note-based helpers. */
export const NOTE_C7_HZ = 440.0 * 2 ** ((96 - 69) / 12);
