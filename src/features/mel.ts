import { EmovoxInputError } from '../util/errors.js';
import { powerToDbInPlace } from './db.js';
import { sparseMelFilterbank, type BinPairs, type MelFilterOptions } from './filters.js';
import { pffftPlan } from './pffft.js';
import type { FeatureMatrix } from './matrix.js';
import {
  fftWindow,
  frameCount,
  readFrame,
  realFft,
  resolveStft,
  type Matrix64,
  type StftOptions,
} from './spectrum.js';
import { checkAudio, checkRate, type AudioSamples } from './validate.js';

/** Options of {@link melSpectrogram}: STFT framing, mel filterbank and spectrogram exponent. */
export interface MelSpectrogramOptions extends StftOptions, MelFilterOptions {
  /** Exponent of the magnitude before the filterbank: 2 = power (default), 1 = magnitude. */
  power?: number;
}

/**
 * sum_i a[aOff + i] * b[i] for i < n, with four independent accumulators: a single running sum
 * is bound by floating-point add latency, four chains let the CPU overlap them.
 */
function dot(a: Float64Array, aOff: number, b: Float64Array, n: number): number {
  return dotAt(a, aOff, b, 0, n);
}

/** sum_i a[aOff + i] * b[bOff + i] for i < n (four accumulators, see {@link dot}). */
function dotAt(a: Float64Array, aOff: number, b: Float64Array, bOff: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[aOff + i] * b[bOff + i];
    s1 += a[aOff + i + 1] * b[bOff + i + 1];
    s2 += a[aOff + i + 2] * b[bOff + i + 2];
    s3 += a[aOff + i + 3] * b[bOff + i + 3];
  }
  for (; i < n; i++) s0 += a[aOff + i] * b[bOff + i];
  return s0 + s1 + (s2 + s3);
}

/** 10 / ln(10): `10 log10(x)` as `DB_PER_LN * Math.log(x)` (V8's Math.log is about 2x faster). */
const DB_PER_LN = 10 / Math.LN10;

/** Smallest power mapped to dB by the fused MFCC path (librosa.power_to_db's default amin). */
const MFCC_AMIN = 1e-10;

/**
 * Mel spectrogram in float64 (frames x nMels). Internal building block for mfcc etc.
 *
 * With `toDb`, each row is turned into `10 log10(max(1e-10, S))` (power_to_db with ref=1, before
 * the top_db clip) while it is still in cache, and `dbMax` is the largest value.
 */
export function melSpectrogram64(
  y: AudioSamples,
  sr: number,
  options: MelSpectrogramOptions | undefined,
  source: string,
  toDb = false,
): Matrix64 & { dbMax: number } {
  checkAudio(y, source);
  checkRate(sr, source);
  const p = resolveStft(options, source);
  const power = options?.power ?? 2.0;
  if (!Number.isFinite(power) || power <= 0)
    throw new EmovoxInputError(source, `power must be > 0, got ${power}`);
  const fb = sparseMelFilterbank(sr, p.nFft, options);
  const frames = frameCount(y.length, p.nFft, p.hopLength, p.center);
  if (frames < 1)
    throw new EmovoxInputError(
      source,
      `audio of ${y.length} samples is shorter than nFft ${p.nFft} with center=false`,
    );
  const nBins = Math.floor(p.nFft / 2) + 1;
  const spec = new Float64Array(nBins);
  const out = new Float64Array(frames * fb.rows);
  // Fused hot loop (no per-frame callback or allocation): frame -> window -> FFT -> |X|^p -> mel.
  const window = fftWindow(p.window, p.winLength, p.nFft);
  const fft = realFft(p.nFft);
  const frame = new Float64Array(p.nFft);
  const padLeft = p.center ? Math.floor(p.nFft / 2) : 0;
  const { start, length, offset, weights, rows, pairs } = fb;
  // float32 PFFFT (WASM SIMD) for the power spectrum when available, as librosa's complex64 STFT
  const fast = power === 2 ? pffftPlan(p.nFft) : null;
  let dbMax = -Infinity;
  for (let t = 0; t < frames; t++) {
    if (fast !== null) {
      readFrame(y, t, p.nFft, p.hopLength, padLeft, p.padMode, window, fast.input());
      fast.powerOfInput(spec);
    } else {
      readFrame(y, t, p.nFft, p.hopLength, padLeft, p.padMode, window, frame);
      const z = fft.forwardInterleaved(frame);
      if (power === 2) {
        for (let k = 0; k < nBins; k++) {
          const re = z[2 * k];
          const im = z[2 * k + 1];
          spec[k] = re * re + im * im;
        }
      } else {
        for (let k = 0; k < nBins; k++) {
          spec[k] = Math.sqrt(z[2 * k] * z[2 * k] + z[2 * k + 1] * z[2 * k + 1]) ** power;
        }
      }
    }
    const outOff = t * rows;
    if (pairs !== null) melByPairs(pairs, spec, out, outOff);
    else for (let m = 0; m < rows; m++) out[outOff + m] = dotAt(weights, offset[m], spec, start[m], length[m]);
    if (toDb) {
      for (let m = outOff; m < outOff + rows; m++) {
        const v = out[m];
        const d = DB_PER_LN * Math.log(v > MFCC_AMIN ? v : MFCC_AMIN);
        out[m] = d;
        if (d > dbMax) dbMax = d;
      }
    }
  }
  return { data: out, frames, bins: fb.rows, dbMax };
}

/**
 * One frame of the mel bank in its bin-pair form: a single pass over the spectrum, both running
 * sums in locals, each finished sum added to its (zero-initialised) row entry.
 */
function melByPairs(pairs: BinPairs, spec: Float64Array, out: Float64Array, outOff: number): void {
  const { first, end, index, lower, upper } = pairs;
  const n = end - first;
  let cur = index[0];
  let lo = 0;
  let hi = 0;
  for (let j = 0; j < n; j++) {
    const idx = index[j];
    if (idx !== cur) {
      out[outOff + cur] += lo;
      out[outOff + cur + 1] += hi;
      cur = idx;
      lo = 0;
      hi = 0;
    }
    const s = spec[first + j];
    lo += lower[j] * s;
    hi += upper[j] * s;
  }
  out[outOff + cur] += lo;
  out[outOff + cur + 1] += hi;
}

/**
 * Mel-scaled spectrogram (librosa.feature.melspectrogram): `|STFT|^power` through
 * {@link melFilterbank}.
 *
 * @param y mono signal.
 * @param sr sample rate in Hz. Default 22050.
 * @param options STFT (nFft=2048, hopLength=512, winLength=nFft, window='hann', center=true,
 *   padMode='constant'), power=2 (power spectrogram), mel bank (nMels=128, fmin=0, fmax=sr/2,
 *   htk=false, norm='slaney').
 * @returns frames x nMels, in power units (|amplitude|^2 when power=2), not dB.
 */
export function melSpectrogram(y: AudioSamples, sr = 22050, options?: MelSpectrogramOptions): FeatureMatrix {
  const m = melSpectrogram64(y, sr, options, 'melSpectrogram');
  return { data: Float32Array.from(m.data), frames: m.frames, bins: m.bins };
}

const dctCache = new Map<string, Float64Array>();

/** Orthonormal DCT-II basis, nOut x n (scipy.fftpack.dct(type=2, norm='ortho')). */
function dctBasis(nOut: number, n: number): Float64Array {
  const key = `${nOut}|${n}`;
  const hit = dctCache.get(key);
  if (hit) return hit;
  const basis = new Float64Array(nOut * n);
  for (let k = 0; k < nOut; k++) {
    const scale = k === 0 ? Math.sqrt(1 / n) : Math.sqrt(2 / n);
    for (let i = 0; i < n; i++) basis[k * n + i] = scale * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * n));
  }
  dctCache.set(key, basis);
  return basis;
}

/** Options of {@link mfcc}. */
export interface MfccOptions extends MelSpectrogramOptions {
  /** Number of coefficients kept. Default 20. */
  nMfcc?: number;
  /** Cepstral liftering `1 + (lifter / 2) sin(pi (n + 1) / lifter)`; 0 disables. Default 0. */
  lifter?: number;
  /** A precomputed log-power mel spectrogram (frames x nMels, dB); y is then ignored. */
  S?: FeatureMatrix;
}

/**
 * Mel-frequency cepstral coefficients (librosa.feature.mfcc): DCT-II (orthonormal) of
 * `powerToDb(melSpectrogram(y, sr), ref=1, amin=1e-10, topDb=80)`, first nMfcc rows.
 *
 * @param y mono signal (ignored when options.S is given).
 * @param sr sample rate in Hz. Default 22050.
 * @param options nMfcc=20, lifter=0, plus every {@link melSpectrogram} option (nFft=2048,
 *   hopLength=512, nMels=128, power=2, ...).
 * @returns frames x nMfcc coefficients (dB-scaled cepstrum, librosa's units).
 */
export function mfcc(y: AudioSamples | null, sr = 22050, options?: MfccOptions): FeatureMatrix {
  const source = 'mfcc';
  const nMfcc = options?.nMfcc ?? 20;
  const lifter = options?.lifter ?? 0;
  if (!Number.isInteger(nMfcc) || nMfcc < 1)
    throw new EmovoxInputError(source, `nMfcc must be an integer >= 1, got ${nMfcc}`);
  if (!Number.isFinite(lifter) || lifter < 0)
    throw new EmovoxInputError(source, `lifter must be >= 0, got ${lifter}`);
  let S: Matrix64;
  if (options?.S) {
    const given = options.S;
    if (
      !(given.data instanceof Float32Array) ||
      given.data.length !== given.frames * given.bins ||
      given.frames < 1
    ) {
      throw new EmovoxInputError(source, 'S must be a non-empty FeatureMatrix');
    }
    S = { data: Float64Array.from(given.data), frames: given.frames, bins: given.bins };
  } else {
    S = melSpectrogram64(y as AudioSamples, sr, options, source);
    powerToDbInPlace(S.data);
  }
  return dctCepstrum(S, nMfcc, lifter, source);
}

/** DCT-II (orthonormal) of each frame of a float64 log-mel matrix, first nMfcc coefficients, liftered. */
export function dctCepstrum(S: Matrix64, nMfcc: number, lifter: number, source: string): FeatureMatrix {
  const nMels = S.bins;
  if (nMfcc > nMels) throw new EmovoxInputError(source, `nMfcc (${nMfcc}) must be <= nMels (${nMels})`);
  const basis = dctBasis(nMfcc, nMels);
  const lift = new Float64Array(nMfcc).fill(1);
  if (lifter > 0)
    for (let k = 0; k < nMfcc; k++) lift[k] = 1 + (lifter / 2) * Math.sin((Math.PI * (k + 1)) / lifter);
  const out = new Float32Array(S.frames * nMfcc);
  const src = S.data;
  const half = nMels >> 1;
  const odd = nMels % 2 === 1;
  const sum = new Float64Array(half + 1);
  const dif = new Float64Array(half);
  for (let t = 0; t < S.frames; t++) {
    const off = t * nMels;
    // cos basis rows are even/odd symmetric about the centre: fold the input once, halve the work
    for (let i = 0; i < half; i++) {
      const a = src[off + i];
      const b = src[off + nMels - 1 - i];
      sum[i] = a + b;
      dif[i] = a - b;
    }
    if (odd) sum[half] = src[off + half];
    const sumLen = odd ? half + 1 : half;
    for (let k = 0; k < nMfcc; k++) {
      const b = k * nMels;
      out[t * nMfcc + k] = (k % 2 === 0 ? dot(basis, b, sum, sumLen) : dot(basis, b, dif, half)) * lift[k];
    }
  }
  return { data: out, frames: S.frames, bins: nMfcc };
}
