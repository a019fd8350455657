import { fftFrequencies } from '../dsp/convert.js';
import { cachedChromaBank, type ChromaBank, type ChromaFilterOptions } from './filters.js';
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
      // librosa 0.10 / 0.11: avg = np.gradient(S), shift = _parabolic_interpolation(S) (0 at the edges
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
  const nBins = Math.ceil(1.0 / resolution);
  const edges = new Float64Array(nBins + 1);
  const step = 1.0 / nBins;
  for (let i = 0; i <= nBins; i++) edges[i] = i * step + -0.5;
  edges[nBins] = 0.5;
  const counts = new Int32Array(nBins);
  // hzToOcts(f, 0, binsPerOctave) = log2(f / (a440 / 16)), its reference hoisted out of the loop
  const a440 = 440.0 * 2.0 ** (0.0 / binsPerOctave);
  const ref = a440 / 16;
  let any = false;
  for (let i = 0; i < frequencies.length; i++) {
    const f = frequencies[i];
    if (!(f > 0)) continue;
    any = true;
    let x = pyMod(binsPerOctave * Math.log2(f / ref), 1.0);
    if (x >= 0.5) x -= 1.0;
    if (x < edges[0] || x > edges[nBins]) continue;
    // numpy.histogram's uniform-bin index computation and edge corrections
    let idx = Math.floor(((x - edges[0]) / (edges[nBins] - edges[0])) * nBins);
    if (idx === nBins) idx -= 1;
    if (x < edges[idx]) idx -= 1;
    else if (x >= edges[idx + 1] && idx !== nBins - 1) idx += 1;
    counts[idx]++;
  }
  if (!any) return 0.0;
  let best = 0;
  for (let i = 1; i < nBins; i++) if (counts[i] > counts[best]) best = i;
  return edges[best];
}

/**
 * piptrack's peaks, collected frame by frame without materialising its frames x bins outputs:
 * the (pitch, magnitude) of every peak with pitch > 0, in librosa's order (frame by frame, bin
 * by bin). Same arithmetic as {@link piptrack} (threshold 0.1, 150 - 4000 Hz by default).
 */
export class PiptrackPeaks {
  /** Peak frequencies in Hz, `count` of them. */
  pitches = new Float64Array(256);
  /** Peak magnitudes (parabolic-interpolated heights). */
  mags = new Float64Array(256);
  count = 0;
  private readonly sr: number;
  private readonly nFft: number;
  private readonly bins: number;
  private readonly threshold: number;

  /** Sample rate (Hz) the peaks are for. */
  get sampleRate(): number {
    return this.sr;
  }

  /** Frequency bins per frame (1 + nFft / 2). */
  get binCount(): number {
    return this.bins;
  }
  /** Bins searched: kLo <= k < kHi (those with fmin <= freq < fmax). */
  private readonly kLo: number;
  private readonly kHi: number;

  constructor(sr: number, bins: number, options?: PiptrackOptions) {
    checkRate(sr, 'piptrack');
    this.sr = sr;
    this.bins = bins;
    this.nFft = 2 * (bins - 1);
    this.threshold = options?.threshold ?? 0.1;
    const fmin = Math.max(options?.fmin ?? 150.0, 0);
    const fmax = Math.min(options?.fmax ?? 4000.0, sr / 2);
    const freqs = fftFrequencies(sr, this.nFft);
    let kLo = 0;
    while (kLo < bins && !(fmin <= freqs[kLo] && freqs[kLo] < fmax)) kLo++;
    let kHi = kLo;
    while (kHi < bins && fmin <= freqs[kHi] && freqs[kHi] < fmax) kHi++;
    this.kLo = kLo;
    this.kHi = kHi;
  }

  /** Forgets the peaks collected so far (the instance can then serve another signal). */
  reset(): void {
    this.count = 0;
  }

  /**
   * Adds the peaks of one frame: `S[off .. off + bins)` (non-negative magnitudes) whose largest
   * value is `max`.
   */
  addFrame(S: Float64Array, off: number, max: number): void {
    const { bins, kLo, kHi } = this;
    if (kLo >= kHi) return;
    const ref = this.threshold * max;
    // neighbours as librosa pads them: the edge bins repeat themselves
    let l = S[kLo > 0 ? off + kLo - 1 : off];
    let v = S[off + kLo];
    for (let k = kLo; k < kHi; k++) {
      const r = S[k < bins - 1 ? off + k + 1 : off + bins - 1];
      // thresholded spectrum: S where S > ref, else 0 (never a strict local maximum)
      if (v > ref && (v > l || l <= ref) && (v >= r || r <= ref)) this.add(k, l, v, r);
      l = v;
      v = r;
    }
  }

  /** Records the peak at bin k with neighbours l and r (librosa 0.10 / 0.11 piptrack). */
  private add(k: number, l: number, v: number, r: number): void {
    // avg = np.gradient(S), shift = _parabolic_interpolation(S): 0 at the edges and wherever the
    // vertex would move by a bin or more
    let shift = 0;
    let avg = 0;
    if (k > 0 && k < this.bins - 1) {
      avg = (r - l) / 2;
      const a = r + l - 2 * v;
      const b = (r - l) / 2;
      shift = Math.abs(b) >= Math.abs(a) ? 0 : -b / a;
    }
    const pitch = ((k + shift) * this.sr) / this.nFft;
    if (!(pitch > 0)) return;
    if (this.count === this.pitches.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(2 * a.length);
        b.set(a);
        return b;
      };
      this.pitches = grow(this.pitches);
      this.mags = grow(this.mags);
    }
    this.pitches[this.count] = pitch;
    this.mags[this.count] = v + 0.5 * avg * shift;
    this.count++;
  }

  /**
   * librosa.estimate_tuning's last step: the pitchTuning of the peaks whose magnitude is at
   * least the median peak magnitude.
   */
  tuning(resolution = 0.01, binsPerOctave = 12): number {
    const n = this.count;
    if (this.work.length < n) this.work = new Float64Array(this.pitches.length);
    const m = this.work.subarray(0, n);
    let threshold = 0.0;
    if (n > 0) {
      m.set(this.mags.subarray(0, n));
      const hi = select(m, n >> 1);
      // for an even count the lower middle is the largest value left of the selected one
      threshold = n % 2 === 1 ? hi : (max(m, n >> 1) + hi) / 2;
    }
    // the selected frequencies, reusing the scratch
    let count = 0;
    for (let i = 0; i < n; i++) if (this.mags[i] >= threshold) m[count++] = this.pitches[i];
    return pitchTuning(m.subarray(0, count), resolution, binsPerOctave);
  }

  private work = new Float64Array(0);
}

/** Largest of a[0 .. end). */
function max(a: Float64Array, end: number): number {
  let m = -Infinity;
  for (let i = 0; i < end; i++) if (a[i] > m) m = a[i];
  return m;
}

/**
 * The k-th smallest value of `a` (0-based), rearranging `a` so that a[0 .. k) <= a[k] <=
 * a[k + 1 ..): quickselect (Hoare partition, median-of-three pivot), O(n) expected. The value is
 * exactly what sorting would put at index k.
 */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // median of three as pivot
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Tuning estimate from a magnitude/power spectrogram (librosa.estimate_tuning with S given). */
export function estimateTuning64(
  S: Matrix64,
  sr: number,
  resolution = 0.01,
  binsPerOctave = 12,
  pip?: PiptrackOptions,
): number {
  const { data, frames, bins } = S;
  let nonNegative = true;
  for (let i = 0; i < data.length && nonNegative; i++) nonNegative = data[i] >= 0;
  const abs = nonNegative ? data : data.map(Math.abs);
  const peaks = new PiptrackPeaks(sr, bins, pip);
  for (let t = 0; t < frames; t++) {
    const off = t * bins;
    let max = -Infinity;
    for (let k = 0; k < bins; k++) if (abs[off + k] > max) max = abs[off + k];
    peaks.addFrame(abs, off, max);
  }
  return peaks.tuning(resolution, binsPerOctave);
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

/**
 * Raw chroma of one frame: `out[outOff + c] = sum_k w[c][k] S[off + k]`, each row summed from
 * bin 0 upwards (the dense product's order, so the same bits); 12 rows run as 12 independent
 * sums in one pass over the bins.
 */
export function chromaFrame(
  bank: ChromaBank,
  S: Float64Array,
  off: number,
  out: Float64Array,
  outOff: number,
): void {
  const { rows, cols, wT } = bank;
  if (rows !== 12) {
    for (let c = 0; c < rows; c++) {
      let acc = 0;
      for (let k = 0; k < cols; k++) acc += wT[k * rows + c] * S[off + k];
      out[outOff + c] = acc;
    }
    return;
  }
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let a4 = 0;
  let a5 = 0;
  let a6 = 0;
  let a7 = 0;
  let a8 = 0;
  let a9 = 0;
  let a10 = 0;
  let a11 = 0;
  for (let k = 0, j = 0; k < cols; k++, j += 12) {
    const s = S[off + k];
    a0 += wT[j] * s;
    a1 += wT[j + 1] * s;
    a2 += wT[j + 2] * s;
    a3 += wT[j + 3] * s;
    a4 += wT[j + 4] * s;
    a5 += wT[j + 5] * s;
    a6 += wT[j + 6] * s;
    a7 += wT[j + 7] * s;
    a8 += wT[j + 8] * s;
    a9 += wT[j + 9] * s;
    a10 += wT[j + 10] * s;
    a11 += wT[j + 11] * s;
  }
  out[outOff] = a0;
  out[outOff + 1] = a1;
  out[outOff + 2] = a2;
  out[outOff + 3] = a3;
  out[outOff + 4] = a4;
  out[outOff + 5] = a5;
  out[outOff + 6] = a6;
  out[outOff + 7] = a7;
  out[outOff + 8] = a8;
  out[outOff + 9] = a9;
  out[outOff + 10] = a10;
  out[outOff + 11] = a11;
}

/** chroma_stft on a float64 spectrogram (internal; options as {@link chromaStft}). */
export function chromaFromSpectrogram(S: Matrix64, sr: number, options?: ChromaStftOptions): FeatureMatrix {
  const nFft = 2 * (S.bins - 1);
  const nChroma = options?.nChroma ?? 12;
  let tuning = options?.tuning;
  if (tuning === undefined) tuning = estimateTuning64(S, sr, 0.01, nChroma);
  const norm = options?.norm === undefined ? Infinity : options.norm;
  const bank = cachedChromaBank(sr, nFft, {
    nChroma,
    tuning,
    ctroct: options?.ctroct,
    octwidth: options?.octwidth,
    baseC: options?.baseC,
  });
  const { frames, bins, data } = S;
  const rows = bank.rows;
  const out = new Float64Array(frames * rows);
  for (let t = 0; t < frames; t++) chromaFrame(bank, data, t * bins, out, t * rows);
  normalizeRows(out, frames, rows, norm);
  return { data: Float32Array.from(out), frames, bins: rows };
}
