import { fftFrequencies, hzToOcts } from '../dsp/convert.js';
import { cachedChromaWeights64, type ChromaFilterOptions } from './filters.js';
import { matrixToF64, type FeatureMatrix, type Matrix64 } from '../dsp/matrix.js';
import { powerSpectrogram64, resolveStft, spectrogramInput64, type StftOptions } from '../dsp/stft.js';
import { checkAudio, checkRate, type AudioSamples } from '../dsp/validate.js';

/** Smallest normal float32: librosa's `tiny()` threshold for float32 audio. */
export const FLOAT32_TINY = 1.1754943508222875e-38;

/** Options of {@link piptrack}. */
export interface PiptrackOptions {
  /** Lowest frequency searched, Hz. Default 150. */
  fmin?: number;
  /** Highest frequency searched (exclusive), Hz. Default 4000. */
  fmax?: number;
  /** A peak must exceed `threshold * max(frame)`. Default 0.1. */
  threshold?: number;
}

/**
 * Pitch tracking by parabolic interpolation of spectral peaks (librosa.piptrack) on a
 * magnitude (or power) spectrogram `S` (frames x (1 + nFft/2), values used as |S|).
 *
 * @returns `pitches` (Hz) and `mags` (interpolated peak heights), both frames x bins with
 *   zeros everywhere except at the detected peaks.
 */
export function piptrack(
  S: FeatureMatrix,
  sr = 22050,
  options?: PiptrackOptions,
): { pitches: FeatureMatrix; mags: FeatureMatrix } {
  const m = matrixToF64(S, 'piptrack', false);
  for (let i = 0; i < m.data.length; i++) m.data[i] = Math.abs(m.data[i]);
  const { pitches, mags } = piptrack64(m, sr, options);
  return {
    pitches: { data: Float32Array.from(pitches), frames: m.frames, bins: m.bins },
    mags: { data: Float32Array.from(mags), frames: m.frames, bins: m.bins },
  };
}

function piptrack64(
  S: Matrix64,
  sr: number,
  options?: PiptrackOptions,
): { pitches: Float64Array; mags: Float64Array } {
  checkRate(sr, 'piptrack');
  const threshold = options?.threshold ?? 0.1;
  const fmin = Math.max(options?.fmin ?? 150.0, 0);
  const fmax = Math.min(options?.fmax ?? 4000.0, sr / 2);
  const { frames, bins, data } = S;
  const nFft = 2 * (bins - 1);
  const freqs = fftFrequencies(sr, nFft);
  const pitches = new Float64Array(data.length);
  const mags = new Float64Array(data.length);
  const thr = new Float64Array(bins);
  for (let t = 0; t < frames; t++) {
    const off = t * bins;
    let max = -Infinity;
    for (let k = 0; k < bins; k++) if (data[off + k] > max) max = data[off + k];
    const ref = threshold * max;
    for (let k = 0; k < bins; k++) thr[k] = data[off + k] > ref ? data[off + k] : 0;
    for (let k = 0; k < bins; k++) {
      if (!(fmin <= freqs[k] && freqs[k] < fmax)) continue;
      const left = k > 0 ? thr[k - 1] : thr[0];
      const right = k < bins - 1 ? thr[k + 1] : thr[bins - 1];
      if (!(thr[k] > left && thr[k] >= right)) continue;
      // librosa 0.10: avg = np.gradient(S), shift = _parabolic_interpolation(S) (0 at the edges
      // and wherever the vertex would move by a bin or more).
      let shift = 0;
      let avg = 0;
      if (k > 0 && k < bins - 1) {
        const xr = data[off + k + 1];
        const xl = data[off + k - 1];
        avg = (xr - xl) / 2;
        const a = xr + xl - 2 * data[off + k];
        const b = (xr - xl) / 2;
        shift = Math.abs(b) >= Math.abs(a) ? 0 : -b / a;
      }
      pitches[off + k] = ((k + shift) * sr) / nFft;
      mags[off + k] = data[off + k] + 0.5 * avg * shift;
    }
  }
  return { pitches, mags };
}

/** numpy's float modulo (result has the sign of the divisor). */
function pyMod(x: number, y: number): number {
  let r = x % y;
  if (r !== 0 && r < 0 !== y < 0) r += y;
  return r;
}

/**
 * Tuning deviation (fraction of a bin, in [-0.5, 0.5)) of a set of frequencies from A440
 * (librosa.pitch_tuning): the peak of a histogram of residuals with `resolution` bin width.
 * Returns 0 for an empty set.
 */
export function pitchTuning(frequencies: ArrayLike<number>, resolution = 0.01, binsPerOctave = 12): number {
  const residuals: number[] = [];
  for (let i = 0; i < frequencies.length; i++) {
    const f = frequencies[i];
    if (!(f > 0)) continue;
    let r = pyMod(binsPerOctave * hzToOcts(f, 0.0, binsPerOctave), 1.0);
    if (r >= 0.5) r -= 1.0;
    residuals.push(r);
  }
  if (residuals.length === 0) return 0.0;
  const nBins = Math.ceil(1.0 / resolution);
  const edges = new Float64Array(nBins + 1);
  const step = 1.0 / nBins;
  for (let i = 0; i <= nBins; i++) edges[i] = i * step + -0.5;
  edges[nBins] = 0.5;
  const counts = new Int32Array(nBins);
  for (const x of residuals) {
    if (x < edges[0] || x > edges[nBins]) continue;
    // numpy.histogram's uniform-bin index computation and edge corrections
    let idx = Math.floor(((x - edges[0]) / (edges[nBins] - edges[0])) * nBins);
    if (idx === nBins) idx -= 1;
    if (x < edges[idx]) idx -= 1;
    else if (x >= edges[idx + 1] && idx !== nBins - 1) idx += 1;
    counts[idx]++;
  }
  let best = 0;
  for (let i = 1; i < nBins; i++) if (counts[i] > counts[best]) best = i;
  return edges[best];
}

/** Tuning estimate from a magnitude/power spectrogram (librosa.estimate_tuning with S given). */
export function estimateTuning64(
  S: Matrix64,
  sr: number,
  resolution = 0.01,
  binsPerOctave = 12,
  pip?: PiptrackOptions,
): number {
  let nonNegative = true;
  for (let i = 0; i < S.data.length && nonNegative; i++) nonNegative = S.data[i] >= 0;
  const abs: Matrix64 = nonNegative ? S : { data: S.data.map(Math.abs), frames: S.frames, bins: S.bins };
  const { pitches, mags } = piptrack64(abs, sr, pip);
  let count = 0;
  for (let i = 0; i < pitches.length; i++) if (pitches[i] > 0) count++;
  const selectedMags = new Float64Array(count);
  for (let i = 0, j = 0; i < pitches.length; i++) if (pitches[i] > 0) selectedMags[j++] = mags[i];
  let threshold = 0.0;
  if (selectedMags.length > 0) {
    selectedMags.sort();
    const n = selectedMags.length;
    threshold = n % 2 === 1 ? selectedMags[(n - 1) / 2] : (selectedMags[n / 2 - 1] + selectedMags[n / 2]) / 2;
  }
  const freqs: number[] = [];
  for (let i = 0; i < pitches.length; i++) if (pitches[i] > 0 && mags[i] >= threshold) freqs.push(pitches[i]);
  return pitchTuning(freqs, resolution, binsPerOctave);
}

/** Options of {@link estimateTuning}. */
export interface EstimateTuningOptions extends StftOptions, PiptrackOptions {
  /** Histogram resolution in fractions of a bin. Default 0.01. */
  resolution?: number;
  /** Bins per octave. Default 12. */
  binsPerOctave?: number;
  /** A precomputed spectrogram (frames x bins) used instead of `|stft(y)|`. */
  S?: FeatureMatrix;
}

/**
 * Tuning offset of a signal in fractions of a bin, [-0.5, 0.5) (librosa.estimate_tuning):
 * piptrack peaks above their median magnitude, histogram of deviations from equal temperament.
 * Defaults nFft=2048, resolution=0.01, binsPerOctave=12, fmin=150, fmax=4000, threshold=0.1.
 */
export function estimateTuning(y: AudioSamples | null, sr = 22050, options?: EstimateTuningOptions): number {
  const source = 'estimateTuning';
  checkRate(sr, source);
  let S: Matrix64;
  if (options?.S) S = matrixToF64(options.S, source, false);
  else {
    checkAudio(y, source);
    S = powerSpectrogram64(y, resolveStft(options, source), 1, source);
  }
  return estimateTuning64(S, sr, options?.resolution ?? 0.01, options?.binsPerOctave ?? 12, options);
}

/** Options of {@link chromaStft}. */
export interface ChromaStftOptions extends StftOptions, Omit<ChromaFilterOptions, 'norm' | 'tuning'> {
  /**
   * Tuning deviation in fractions of a chroma bin. Default: estimated from the spectrogram with
   * {@link estimateTuning}, as librosa does when `tuning=None`. Pass 0 to skip estimation.
   */
  tuning?: number;
  /** Per-frame normalisation of the chroma vector: Infinity (max = 1, default), 1, 2 or null. */
  norm?: 1 | 2 | typeof Infinity | null;
  /**
   * A precomputed spectrogram (frames x (1 + nFft/2)); y is then ignored and nFft is
   * `2 * (bins - 1)`. librosa's classic pipeline passes `|stft(y)|` (magnitude) here.
   */
  S?: FeatureMatrix;
}

/** Per-frame (row) normalisation, librosa.util.normalize on the chroma axis (float32 threshold). */
export function normalizeRows(
  data: Float64Array,
  frames: number,
  bins: number,
  norm: 1 | 2 | number | null,
): void {
  if (norm === null) return;
  for (let t = 0; t < frames; t++) {
    const off = t * bins;
    let len = 0;
    for (let k = 0; k < bins; k++) {
      const v = Math.abs(data[off + k]);
      if (norm === Infinity) len = Math.max(len, v);
      else if (norm === 1) len += v;
      else len += v * v;
    }
    if (norm === 2) len = Math.sqrt(len);
    if (len < FLOAT32_TINY) continue;
    for (let k = 0; k < bins; k++) data[off + k] /= len;
  }
}

/**
 * Chromagram from a power spectrogram (librosa.feature.chroma_stft): `|STFT|^2` (or `S`)
 * through {@link chromaFilterbank}, each frame normalised (max = 1 by default).
 *
 * @param y mono signal (ignored when options.S is given).
 * @param sr sample rate in Hz. Default 22050.
 * @param options nFft=2048, hopLength=512, center=true, padMode='constant', tuning=estimated,
 *   nChroma=12, norm=Infinity, ctroct=5, octwidth=2, baseC=true.
 * @returns frames x nChroma, unitless in [0, 1] (norm=Infinity); column 0 is C.
 */
export function chromaStft(y: AudioSamples | null, sr = 22050, options?: ChromaStftOptions): FeatureMatrix {
  const source = 'chromaStft';
  checkRate(sr, source);
  return chromaFromSpectrogram(spectrogramInput64(y, options?.S, options, 2, source), sr, options);
}

/** chroma_stft on a float64 spectrogram (internal; options as {@link chromaStft}). */
export function chromaFromSpectrogram(S: Matrix64, sr: number, options?: ChromaStftOptions): FeatureMatrix {
  const nFft = 2 * (S.bins - 1);
  const nChroma = options?.nChroma ?? 12;
  let tuning = options?.tuning;
  if (tuning === undefined) tuning = estimateTuning64(S, sr, 0.01, nChroma);
  const norm = options?.norm === undefined ? Infinity : options.norm;
  const { w, rows } = cachedChromaWeights64(sr, nFft, {
    nChroma,
    tuning,
    ctroct: options?.ctroct,
    octwidth: options?.octwidth,
    baseC: options?.baseC,
  });
  const { frames, bins, data } = S;
  const out = new Float64Array(frames * rows);
  for (let t = 0; t < frames; t++) {
    const off = t * bins;
    for (let c = 0; c < rows; c++) {
      const wo = c * bins;
      let acc = 0;
      for (let k = 0; k < bins; k++) acc += w[wo + k] * data[off + k];
      out[t * rows + c] = acc;
    }
  }
  normalizeRows(out, frames, rows, norm);
  return { data: Float32Array.from(out), frames, bins: rows };
}
