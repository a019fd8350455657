import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import { sparseMelFilterbank, type BinPairs, type MelFilterOptions } from './filters.js';
import { pffftPlan } from '../dsp/pffft.js';
import { unwindowedSpectra } from '../dsp/unwindowed-frames.js';
import { dctCepstrum } from '../dsp/dct.js';
import { dotAt } from '../dsp/dot.js';
import { realFft } from '../dsp/fft.js';
import { frameCount, readFrame } from '../dsp/frame.js';
import type { FeatureMatrix, Matrix64 } from '../dsp/matrix.js';
import { resolveStft, windowedPower, type StftOptions } from '../dsp/stft.js';
import { cosineWindow, fftWindow } from '../dsp/window.js';
import { checkAudio, checkRate, type AudioSamples } from '../dsp/validate.js';
import { mfccByKernel } from './wasm/mel-kernel.js';

/** Options of {@link melSpectrogram}: STFT framing, mel filterbank and spectrogram exponent. */
export interface MelSpectrogramOptions extends StftOptions, MelFilterOptions {
  /** Exponent of the magnitude before the filterbank: 2 = power (default), 1 = magnitude. */
  power?: number;
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
    throw new EmovoxParameterError('power', `must be > 0, got ${power} (${source})`);
  const fb = sparseMelFilterbank(sr, p.nFft, options);
  const frames = frameCount(y.length, p.nFft, p.hopLength, p.center);
  if (frames < 1)
    throw new EmovoxInputError(
      'y',
      `audio of ${y.length} samples is shorter than nFft ${p.nFft} with center=false (${source})`,
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
  const cosine = cosineWindow(p.window, p.winLength, p.nFft);
  const spectrumOf = fast !== null && cosine !== null ? unwindowedSpectra(fast, y, p) : null;
  let dbMax = -Infinity;
  for (let t = 0; t < frames; t++) {
    if (spectrumOf !== null && cosine !== null) {
      // unwindowed frames, the window applied in the spectrum
      const zx = spectrumOf(t);
      if (pairs !== null) {
        melOfWindowedSpectrum(zx, cosine[0], cosine[1] / 2, pairs, out, t * rows);
        if (toDb) dbMax = rowToDb(out, t * rows, rows, dbMax);
        continue;
      }
      windowedPower(zx, cosine[0], cosine[1] / 2, spec);
    } else if (fast !== null) {
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
    else
      for (let m = 0; m < rows; m++) out[outOff + m] = dotAt(weights, offset[m], spec, start[m], length[m]);
    if (toDb) dbMax = rowToDb(out, outOff, rows, dbMax);
  }
  return { data: out, frames, bins: fb.rows, dbMax };
}

/**
 * One frame of the mel bank in its bin-pair form: one pass over the spectrum, run by run, both
 * running sums in locals (two bins per step: V8 pays a loop check per iteration), each
 * finished sum added to its (zero-initialised) row entry.
 */
function melByPairs(pairs: BinPairs, spec: Float64Array, out: Float64Array, outOff: number): void {
  const { first, index, lower, upper, segStart } = pairs;
  const runs = segStart.length - 1;
  for (let r = 0; r < runs; r++) {
    const a = segStart[r];
    const b = segStart[r + 1];
    let lo0 = 0;
    let hi0 = 0;
    let lo1 = 0;
    let hi1 = 0;
    let j = a;
    for (; j + 1 < b; j += 2) {
      const s0 = spec[first + j];
      const s1 = spec[first + j + 1];
      lo0 += lower[j] * s0;
      hi0 += upper[j] * s0;
      lo1 += lower[j + 1] * s1;
      hi1 += upper[j + 1] * s1;
    }
    if (j < b) {
      const s0 = spec[first + j];
      lo0 += lower[j] * s0;
      hi0 += upper[j] * s0;
    }
    const m = outOff + index[a];
    out[m] += lo0 + lo1;
    out[m + 1] += hi0 + hi1;
  }
}

/** `10 log10(max(1e-10, v))` over one row in place; returns max(dbMax, the row's maximum). */
export function rowToDb(out: Float64Array, off: number, n: number, dbMax: number): number {
  let max = dbMax;
  for (let m = off; m < off + n; m++) {
    const v = out[m];
    const d = DB_PER_LN * Math.log(v < MFCC_AMIN ? MFCC_AMIN : v);
    out[m] = d;
    if (d > max) max = d;
  }
  return max;
}

/**
 * One frame of the mel bank straight from an extended spectrum (see {@link windowedPower}):
 * window, |.|^2 and both filter sums fused in one pass over the bins, run by run of the bin-pair
 * form, sums in locals, two bins per step (V8 pays a loop check per iteration); each finished
 * sum is added to its (zero-initialised) row entry.
 */
function melOfWindowedSpectrum(
  zx: Float32Array,
  a0: number,
  c: number,
  pairs: BinPairs,
  out: Float64Array,
  outOff: number,
): void {
  const { first, index, lower, upper, segStart } = pairs;
  // |a0 X[k] - c (X[k-1] + X[k+1])|^2 = a0^2 |X[k] - q (X[k-1] + X[k+1])|^2: a0^2 goes on the
  // finished sums (exact for Hann, a0^2 = 1/4)
  const q = c / a0;
  const g = a0 * a0;
  const runs = segStart.length - 1;
  // X[k-1] and X[k] carried in locals from bin to bin: one new complex value loaded per bin
  let pr = zx[2 * first + 2];
  let pi = zx[2 * first + 3];
  let cr = zx[2 * first + 4];
  let ci = zx[2 * first + 5];
  let i = 2 * first + 6; // position of X[k+1]
  for (let r = 0; r < runs; r++) {
    const a = segStart[r];
    const b = segStart[r + 1];
    let lo0 = 0;
    let hi0 = 0;
    let lo1 = 0;
    let hi1 = 0;
    let j = a;
    for (; j + 1 < b; j += 2, i += 4) {
      const nr = zx[i];
      const ni = zx[i + 1];
      const mr = zx[i + 2];
      const mi = zx[i + 3];
      const r0 = cr - q * (pr + nr);
      const i0 = ci - q * (pi + ni);
      const r1 = nr - q * (cr + mr);
      const i1 = ni - q * (ci + mi);
      const s0 = r0 * r0 + i0 * i0;
      const s1 = r1 * r1 + i1 * i1;
      lo0 += lower[j] * s0;
      hi0 += upper[j] * s0;
      lo1 += lower[j + 1] * s1;
      hi1 += upper[j + 1] * s1;
      pr = nr;
      pi = ni;
      cr = mr;
      ci = mi;
    }
    if (j < b) {
      const nr = zx[i];
      const ni = zx[i + 1];
      const r0 = cr - q * (pr + nr);
      const i0 = ci - q * (pi + ni);
      const s0 = r0 * r0 + i0 * i0;
      lo0 += lower[j] * s0;
      hi0 += upper[j] * s0;
      pr = cr;
      pi = ci;
      cr = nr;
      ci = ni;
      i += 2;
    }
    const m = outOff + index[a];
    out[m] += (lo0 + lo1) * g;
    out[m + 1] += (hi0 + hi1) * g;
  }
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
 * @example
 * ```ts
 * import { loadAudio, melSpectrogram } from 'emovox';
 *
 * const { samples, sampleRate } = await loadAudio('speech.wav', { sr: 22050 });
 * const mel = melSpectrogram(samples, sampleRate, { nMels: 64, hopLength: 256 });
 * // Row-major frames x bins: band b of frame t is mel.data[t * mel.bins + b].
 * console.log(mel.frames, 'frames x', mel.bins, 'bands');
 * ```
 */
export function melSpectrogram(y: AudioSamples, sr = 22050, options?: MelSpectrogramOptions): FeatureMatrix {
  const m = melSpectrogram64(y, sr, options, 'melSpectrogram');
  return { data: Float32Array.from(m.data), frames: m.frames, bins: m.bins };
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
 * @example
 * ```ts
 * import { loadAudio, mfcc } from 'emovox';
 *
 * const { samples, sampleRate } = await loadAudio('speech.wav', { sr: 22050 });
 * const m = mfcc(samples, sampleRate, { nMfcc: 40 }); // frames x 40
 * const c0 = Array.from({ length: m.frames }, (_, t) => m.data[t * m.bins]);
 * console.log(c0.slice(0, 5));
 * ```
 */
export function mfcc(y: AudioSamples | null, sr = 22050, options?: MfccOptions): FeatureMatrix {
  const source = 'mfcc';
  const nMfcc = options?.nMfcc ?? 20;
  const lifter = options?.lifter ?? 0;
  if (!Number.isInteger(nMfcc) || nMfcc < 1)
    throw new EmovoxParameterError('nMfcc', `must be an integer >= 1, got ${nMfcc} (${source})`);
  if (!Number.isFinite(lifter) || lifter < 0)
    throw new EmovoxParameterError('lifter', `must be >= 0, got ${lifter} (${source})`);
  let S: Matrix64;
  if (options?.S) {
    const given = options.S;
    if (
      !(given.data instanceof Float32Array) ||
      given.data.length !== given.frames * given.bins ||
      given.frames < 1
    ) {
      throw new EmovoxInputError('S', `must be a non-empty FeatureMatrix (${source})`);
    }
    S = { data: Float64Array.from(given.data), frames: given.frames, bins: given.bins };
  } else {
    // power_to_db(ref=1, amin=1e-10, top_db=80) fused: log per frame in the mel pass, the
    // top_db clip (which needs the global maximum) applied while the DCT reads each frame
    const viaKernel = mfccByKernel(y as AudioSamples, sr, options, nMfcc, lifter, source);
    if (viaKernel !== null) return viaKernel;
    const mel = melSpectrogram64(y as AudioSamples, sr, options, source, true);
    return dctCepstrum(mel, nMfcc, lifter, source, mel.dbMax - 80);
  }
  return dctCepstrum(S, nMfcc, lifter, source);
}
