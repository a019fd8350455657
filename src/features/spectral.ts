import { EmovoxParameterError } from '../util/errors.js';
import { fftFrequencies } from '../dsp/convert.js';
import { powerToDbInPlace } from '../dsp/db.js';
import type { FeatureMatrix, Matrix64 } from '../dsp/matrix.js';
import { roundHalfEven } from '../dsp/round.js';
import { spectrogramInput64, type StftOptions } from '../dsp/stft.js';
import { checkRate, type AudioSamples } from '../dsp/validate.js';
import { FLOAT32_TINY } from './chroma.js';

/** Options shared by the spectral descriptors: STFT framing, or a precomputed magnitude spectrogram. */
export interface SpectralOptions extends StftOptions {
  /** Magnitude spectrogram (frames x (1 + nFft/2)); y is then ignored and nFft = 2 (bins - 1). */
  S?: FeatureMatrix;
}

/** |STFT| (power 1) from y, or the given S; with the matching FFT bin frequencies. */
function magnitudeInput(
  y: AudioSamples | null,
  sr: number,
  options: SpectralOptions | undefined,
  source: string,
): { S: Matrix64; freq: Float64Array } {
  checkRate(sr, source);
  const S = spectrogramInput64(y, options?.S, options, 1, source);
  return { S, freq: fftFrequencies(sr, 2 * (S.bins - 1)) };
}

function column(values: Float64Array, frames: number): FeatureMatrix {
  return { data: Float32Array.from(values), frames, bins: 1 };
}

/** Per-frame centroid in Hz of a float64 magnitude spectrogram (0 for silent frames). */
function centroid64(S: Matrix64, freq: Float64Array): Float64Array {
  const out = new Float64Array(S.frames);
  for (let t = 0; t < S.frames; t++) {
    const off = t * S.bins;
    let sum = 0;
    for (let k = 0; k < S.bins; k++) sum += Math.abs(S.data[off + k]);
    const norm = sum < FLOAT32_TINY ? 1 : sum;
    let acc = 0;
    for (let k = 0; k < S.bins; k++) acc += freq[k] * (S.data[off + k] / norm);
    out[t] = acc;
  }
  return out;
}

/**
 * Spectral centroid (librosa.feature.spectral_centroid): magnitude-weighted mean frequency.
 * @param options STFT defaults (nFft=2048, hopLength=512, center=true, padMode='constant') or S.
 * @returns frames x 1, Hz (0 for all-zero frames).
 */
export function spectralCentroid(
  y: AudioSamples | null,
  sr = 22050,
  options?: SpectralOptions,
): FeatureMatrix {
  const { S, freq } = magnitudeInput(y, sr, options, 'spectralCentroid');
  return column(centroid64(S, freq), S.frames);
}

/** Options of {@link spectralBandwidth}. */
export interface BandwidthOptions extends SpectralOptions {
  /** Order of the deviation moment. Default 2. */
  p?: number;
  /** Normalise each frame's magnitudes to sum 1 first. Default true. */
  norm?: boolean;
}

/**
 * p-th order spectral bandwidth (librosa.feature.spectral_bandwidth):
 * `(sum_k S[k] |f_k - centroid|^p)^(1/p)` with S normalised per frame.
 * @param options p=2, norm=true, STFT defaults as {@link spectralCentroid}.
 * @returns frames x 1, Hz.
 */
export function spectralBandwidth(
  y: AudioSamples | null,
  sr = 22050,
  options?: BandwidthOptions,
): FeatureMatrix {
  const source = 'spectralBandwidth';
  const p = options?.p ?? 2;
  if (!(p > 0) || !Number.isFinite(p))
    throw new EmovoxParameterError('p', `must be > 0, got ${p} (${source})`);
  const { S, freq } = magnitudeInput(y, sr, options, source);
  const cent = centroid64(S, freq);
  const out = new Float64Array(S.frames);
  for (let t = 0; t < S.frames; t++) {
    const off = t * S.bins;
    let norm = 1;
    if (options?.norm ?? true) {
      let sum = 0;
      for (let k = 0; k < S.bins; k++) sum += Math.abs(S.data[off + k]);
      norm = sum < FLOAT32_TINY ? 1 : sum;
    }
    let acc = 0;
    for (let k = 0; k < S.bins; k++) acc += (S.data[off + k] / norm) * Math.abs(freq[k] - cent[t]) ** p;
    out[t] = acc ** (1 / p);
  }
  return column(out, S.frames);
}

/** Options of {@link spectralRolloff}. */
export interface RolloffOptions extends SpectralOptions {
  /** Fraction of the frame's total magnitude below the roll-off frequency, in (0, 1). Default 0.85. */
  rollPercent?: number;
}

/**
 * Roll-off frequency (librosa.feature.spectral_rolloff): the lowest bin centre frequency at
 * which the cumulative magnitude reaches `rollPercent` of the frame total.
 * @param options rollPercent=0.85, STFT defaults as {@link spectralCentroid}.
 * @returns frames x 1, Hz.
 */
export function spectralRolloff(y: AudioSamples | null, sr = 22050, options?: RolloffOptions): FeatureMatrix {
  const source = 'spectralRolloff';
  const roll = options?.rollPercent ?? 0.85;
  if (!(roll > 0 && roll < 1))
    throw new EmovoxParameterError('rollPercent', `must lie in (0, 1), got ${roll} (${source})`);
  const { S, freq } = magnitudeInput(y, sr, options, source);
  const out = new Float64Array(S.frames);
  const cum = new Float64Array(S.bins);
  for (let t = 0; t < S.frames; t++) {
    const off = t * S.bins;
    let acc = 0;
    for (let k = 0; k < S.bins; k++) cum[k] = acc += S.data[off + k];
    const threshold = roll * cum[S.bins - 1];
    let k = 0;
    while (k < S.bins - 1 && cum[k] < threshold) k++;
    out[t] = freq[k];
  }
  return column(out, S.frames);
}

/** Options of {@link spectralFlatness}. */
export interface FlatnessOptions extends SpectralOptions {
  /** Floor applied to S^power before the logarithm. Default 1e-10. */
  amin?: number;
  /** Exponent applied to the magnitude spectrogram. Default 2 (power). */
  power?: number;
}

/**
 * Spectral flatness (librosa.feature.spectral_flatness): geometric mean over arithmetic mean of
 * `max(amin, S^power)` per frame; 1 for white noise, near 0 for a pure tone.
 * @param options amin=1e-10, power=2, STFT defaults as {@link spectralCentroid}.
 * @returns frames x 1, unitless in (0, 1].
 */
export function spectralFlatness(
  y: AudioSamples | null,
  sr = 22050,
  options?: FlatnessOptions,
): FeatureMatrix {
  const source = 'spectralFlatness';
  const amin = options?.amin ?? 1e-10;
  const power = options?.power ?? 2.0;
  if (!(amin > 0)) throw new EmovoxParameterError('amin', `must be > 0, got ${amin} (${source})`);
  if (!(power > 0)) throw new EmovoxParameterError('power', `must be > 0, got ${power} (${source})`);
  const { S } = magnitudeInput(y, sr, options, source);
  const out = new Float64Array(S.frames);
  for (let t = 0; t < S.frames; t++) {
    const off = t * S.bins;
    let logSum = 0;
    let sum = 0;
    for (let k = 0; k < S.bins; k++) {
      const v = Math.max(amin, S.data[off + k] ** power);
      logSum += Math.log(v);
      sum += v;
    }
    out[t] = Math.exp(logSum / S.bins) / (sum / S.bins);
  }
  return column(out, S.frames);
}

/** Options of {@link spectralContrast}. */
export interface ContrastOptions extends SpectralOptions {
  /** Lower edge of the first octave band, Hz. Default 200. */
  fmin?: number;
  /** Number of octave bands (the output has nBands + 1 rows per frame). Default 6. */
  nBands?: number;
  /** Fraction of each band averaged as its peak / valley. Default 0.02. */
  quantile?: number;
  /** Return peak - valley in linear magnitude instead of the dB difference. Default false. */
  linear?: boolean;
}

/**
 * Spectral contrast (librosa.feature.spectral_contrast): per octave band, the mean of the top
 * `quantile` magnitudes (peak) minus the mean of the bottom ones (valley), in dB
 * (`powerToDb(peak) - powerToDb(valley)`, each with ref=1, amin=1e-10, topDb=80 over the whole
 * utterance, exactly as librosa). Band 0 is [0, fmin], band k is [fmin 2^(k-1), fmin 2^k], the
 * last band extends to Nyquist.
 * @param options fmin=200 Hz, nBands=6, quantile=0.02, linear=false, STFT defaults.
 * @returns frames x (nBands + 1), dB (or linear magnitude).
 */
export function spectralContrast(
  y: AudioSamples | null,
  sr = 22050,
  options?: ContrastOptions,
): FeatureMatrix {
  const source = 'spectralContrast';
  const fmin = options?.fmin ?? 200.0;
  const nBands = options?.nBands ?? 6;
  const quantile = options?.quantile ?? 0.02;
  if (!(fmin > 0)) throw new EmovoxParameterError('fmin', `must be > 0, got ${fmin} (${source})`);
  if (!Number.isInteger(nBands) || nBands < 1)
    throw new EmovoxParameterError('nBands', `must be a positive integer, got ${nBands} (${source})`);
  if (!(quantile > 0 && quantile < 1))
    throw new EmovoxParameterError('quantile', `must lie in (0, 1), got ${quantile} (${source})`);
  checkRate(sr, source);
  const octa = new Float64Array(nBands + 2);
  for (let k = 1; k < nBands + 2; k++) octa[k] = fmin * 2.0 ** (k - 1);
  for (let k = 0; k < nBands + 1; k++) {
    if (octa[k] >= 0.5 * sr)
      throw new EmovoxParameterError(
        'fmin',
        `frequency band exceeds Nyquist; reduce fmin or nBands (${source})`,
      );
  }
  const { S, freq } = magnitudeInput(y, sr, options, source);
  const rows = nBands + 1;
  const peak = new Float64Array(S.frames * rows);
  const valley = new Float64Array(S.frames * rows);
  for (let k = 0; k < rows; k++) {
    const inBand: number[] = [];
    for (let i = 0; i < S.bins; i++) if (freq[i] >= octa[k] && freq[i] <= octa[k + 1]) inBand.push(i);
    if (inBand.length === 0)
      throw new EmovoxParameterError('nFft', `band ${k} contains no FFT bin; use a larger nFft (${source})`);
    let lo = inBand[0];
    let hi = inBand[inBand.length - 1];
    if (k > 0) lo = Math.max(0, lo - 1); // librosa adds the bin just below (idx[0] - 1)
    if (k === nBands) hi = S.bins - 1;
    const count = hi - lo + 1;
    const subHi = k < nBands ? hi - 1 : hi; // all but the last band drop their top bin
    const n = Math.max(roundHalfEven(quantile * count), 1);
    const sub = new Float64Array(subHi - lo + 1);
    for (let t = 0; t < S.frames; t++) {
      const off = t * S.bins;
      for (let i = lo; i <= subHi; i++) sub[i - lo] = S.data[off + i];
      sub.sort();
      let v = 0;
      let p = 0;
      const take = Math.min(n, sub.length);
      for (let i = 0; i < take; i++) v += sub[i];
      for (let i = sub.length - take; i < sub.length; i++) p += sub[i];
      valley[t * rows + k] = v / take;
      peak[t * rows + k] = p / take;
    }
  }
  const out = new Float64Array(S.frames * rows);
  if (options?.linear) {
    for (let i = 0; i < out.length; i++) out[i] = peak[i] - valley[i];
  } else {
    powerToDbInPlace(peak);
    powerToDbInPlace(valley);
    for (let i = 0; i < out.length; i++) out[i] = peak[i] - valley[i];
  }
  return { data: Float32Array.from(out), frames: S.frames, bins: rows };
}
