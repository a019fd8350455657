import { EmovoxInputError } from '../util/errors.js';
import { sparseMelFilterbank, type BinPairs, type MelFilterOptions } from './filters.js';
import { pffftPlan } from './pffft.js';
import { unwindowedSpectra } from './unwindowed-frames.js';
import type { FeatureMatrix } from './matrix.js';
import {
  cosineWindow,
  fftWindow,
  frameCount,
  readFrame,
  realFft,
  resolveStft,
  type Matrix64,
  type StftOptions,
  windowedPower,
} from './spectrum.js';
import { checkAudio, checkRate, type AudioSamples } from './validate.js';
import { mfccByKernel } from './wasm/mel-kernel.js';

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
function rowToDb(out: Float64Array, off: number, n: number, dbMax: number): number {
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

/** DCT rows of one symmetry class, four rows interleaved per block (see {@link dctRows}). */
interface DctRowBlock {
  /** Output coefficient of each row, -1 for padding rows; length a multiple of 4. */
  readonly rows: Int32Array;
  /** `weights[(blk * len + i) * 4 + r]` = basis value of row `rows[4 blk + r]` at input `i`. */
  readonly weights: Float64Array;
}

const packedDctCache = new Map<string, { odd: DctRowBlock; even0: DctRowBlock; even2: DctRowBlock }>();

/**
 * The DCT basis split by symmetry for a twice-folded input (nMels % 4 === 0): odd rows act on
 * the first difference (nMels/2 values), rows k % 4 === 0 on the second sum and k % 4 === 2 on
 * the second difference (nMels/4 values each).
 */
function packedDct(
  nMfcc: number,
  nMels: number,
): { odd: DctRowBlock; even0: DctRowBlock; even2: DctRowBlock } {
  const key = `${nMfcc}|${nMels}`;
  const hit = packedDctCache.get(key);
  if (hit) return hit;
  const basis = dctBasis(nMfcc, nMels);
  const block = (ks: number[], len: number): DctRowBlock => {
    const padded = Math.ceil(ks.length / 4) * 4;
    const rows = new Int32Array(padded).fill(-1);
    rows.set(ks);
    const weights = new Float64Array(padded * len);
    for (let blk = 0; blk < padded / 4; blk++) {
      for (let r = 0; r < 4; r++) {
        const k = rows[blk * 4 + r];
        if (k < 0) continue;
        for (let i = 0; i < len; i++) weights[(blk * len + i) * 4 + r] = basis[k * nMels + i];
      }
    }
    return { rows, weights };
  };
  const ks = Array.from({ length: nMfcc }, (_, k) => k);
  const packed = {
    odd: block(
      ks.filter((k) => k % 2 === 1),
      nMels >> 1,
    ),
    even0: block(
      ks.filter((k) => k % 4 === 0),
      nMels >> 2,
    ),
    even2: block(
      ks.filter((k) => k % 4 === 2),
      nMels >> 2,
    ),
  };
  packedDctCache.set(key, packed);
  return packed;
}

/**
 * The DCT for nMels % 4 === 0, two frames at a time: both frames are folded twice (the cosine
 * rows are even/odd symmetric about the centre, and the even rows again about the quarter) into
 * interleaved buffers, so each basis value loaded serves two frames and four rows share each
 * input load. Values below `floor` are read as `floor`.
 */
function dctTwoFramesAtATime(
  src: Float64Array,
  frames: number,
  nMels: number,
  floor: number,
  packed: { odd: DctRowBlock; even0: DctRowBlock; even2: DctRowBlock },
  lift: Float64Array,
  out: Float32Array,
): void {
  const half = nMels >> 1;
  const quarter = half >> 1;
  const nMfcc = lift.length;
  const sum = new Float64Array(2 * half);
  const dif = new Float64Array(2 * half);
  const sum2 = new Float64Array(2 * quarter);
  const dif2 = new Float64Array(2 * quarter);
  for (let t = 0; t < frames; t += 2) {
    const second = t + 1 < frames; // a last odd frame is folded twice, written once
    for (let f = 0; f < 2; f++) {
      const off = (second ? t + f : t) * nMels;
      for (let i = 0; i < half; i++) {
        const x = src[off + i];
        const z = src[off + nMels - 1 - i];
        const a = x < floor ? floor : x;
        const b = z < floor ? floor : z;
        sum[2 * i + f] = a + b;
        dif[2 * i + f] = a - b;
      }
      for (let i = 0; i < quarter; i++) {
        const a = sum[2 * i + f];
        const b = sum[2 * (half - 1 - i) + f];
        sum2[2 * i + f] = a + b;
        dif2[2 * i + f] = a - b;
      }
    }
    const o = t * nMfcc;
    const o2 = second ? o + nMfcc : -1;
    dctRows(packed.odd, dif, half, lift, out, o, o2);
    dctRows(packed.even0, sum2, quarter, lift, out, o, o2);
    dctRows(packed.even2, dif2, quarter, lift, out, o, o2);
  }
}

/**
 * Four DCT rows x two frames at a time: `v` holds two interleaved folded inputs of `len` values
 * (`v[2i + f]`). Writes `sum * lift[k]` to `out[o + k]` (frame 0) and `out[o2 + k]` (frame 1,
 * skipped when o2 < 0).
 */
function dctRows(
  b: DctRowBlock,
  v: Float64Array,
  len: number,
  lift: Float64Array,
  out: Float32Array,
  o: number,
  o2: number,
): void {
  const { rows, weights } = b;
  for (let blk = 0; blk < rows.length; blk += 4) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    let w = blk * len;
    for (let i = 0; i < 2 * len; i += 2, w += 4) {
      const x = v[i];
      const y = v[i + 1];
      const w0 = weights[w];
      const w1 = weights[w + 1];
      const w2 = weights[w + 2];
      const w3 = weights[w + 3];
      s0 += w0 * x;
      s1 += w1 * x;
      s2 += w2 * x;
      s3 += w3 * x;
      t0 += w0 * y;
      t1 += w1 * y;
      t2 += w2 * y;
      t3 += w3 * y;
    }
    const sums = [s0, s1, s2, s3];
    const sums2 = [t0, t1, t2, t3];
    for (let r = 0; r < 4; r++) {
      const k = rows[blk + r];
      if (k < 0) continue;
      out[o + k] = sums[r] * lift[k];
      if (o2 >= 0) out[o2 + k] = sums2[r] * lift[k];
    }
  }
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
    // power_to_db(ref=1, amin=1e-10, top_db=80) fused: log per frame in the mel pass, the
    // top_db clip (which needs the global maximum) applied while the DCT reads each frame
    const viaKernel = mfccByKernel(y as AudioSamples, sr, options, nMfcc, lifter, source);
    if (viaKernel !== null) return viaKernel;
    const mel = melSpectrogram64(y as AudioSamples, sr, options, source, true);
    return dctCepstrum(mel, nMfcc, lifter, source, mel.dbMax - 80);
  }
  return dctCepstrum(S, nMfcc, lifter, source);
}

/**
 * DCT-II (orthonormal) of each frame of a float64 log-mel matrix, first nMfcc coefficients,
 * liftered. Values below `floor` (dB) are read as `floor` (power_to_db's top_db clip); default
 * -Infinity (no clip).
 */
export function dctCepstrum(
  S: Matrix64,
  nMfcc: number,
  lifter: number,
  source: string,
  floor = -Infinity,
): FeatureMatrix {
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
  // second fold (even rows) when the folded half is itself even
  const quarter = !odd && half % 2 === 0 ? half >> 1 : 0;
  const sum = new Float64Array(half + 1);
  const dif = new Float64Array(half);
  if (quarter > 0) {
    dctTwoFramesAtATime(src, S.frames, nMels, floor, packedDct(nMfcc, nMels), lift, out);
    return { data: out, frames: S.frames, bins: nMfcc };
  }
  for (let t = 0; t < S.frames; t++) {
    const off = t * nMels;
    // cos basis rows are even/odd symmetric about the centre: fold the input once, halve the work
    for (let i = 0; i < half; i++) {
      const x = src[off + i];
      const z = src[off + nMels - 1 - i];
      const a = x < floor ? floor : x;
      const b = z < floor ? floor : z;
      sum[i] = a + b;
      dif[i] = a - b;
    }
    if (odd) {
      const x = src[off + half];
      sum[half] = x < floor ? floor : x;
    }
    const sumLen = odd ? half + 1 : half;
    for (let k = 0; k < nMfcc; k++) {
      const b = k * nMels;
      out[t * nMfcc + k] = (k % 2 === 0 ? dot(basis, b, sum, sumLen) : dot(basis, b, dif, half)) * lift[k];
    }
  }
  return { data: out, frames: S.frames, bins: nMfcc };
}
