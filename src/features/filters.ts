import { EmovoxParameterError } from '../util/errors.js';
import { fftFrequencies, melFrequencies } from '../dsp/convert.js';

/** A dense filter matrix in librosa's layout: `rows` filters x `cols` FFT bins, row-major. */
export interface Filterbank {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** Per-filter normalisation of the mel filterbank: 'slaney' (area), a p-norm, or none. */
export type MelNorm = 'slaney' | 1 | 2 | typeof Infinity | null;

/** Options of {@link melFilterbank}. */
export interface MelFilterOptions {
  /** Number of mel bands. Default 128. */
  nMels?: number;
  /** Lowest band edge in Hz. Default 0. */
  fmin?: number;
  /** Highest band edge in Hz. Default sr / 2. */
  fmax?: number;
  /** HTK mel formula instead of Slaney's. Default false. */
  htk?: boolean;
  /** 'slaney' divides each triangle by its width in Hz (constant energy per band). Default 'slaney'. */
  norm?: MelNorm;
}

/**
 * The mel filterbank stored sparsely: filter m covers FFT bins
 * `start[m] .. start[m] + length[m] - 1` with weights `weights[offset[m] + j]`.
 */
export interface SparseFilterbank {
  readonly rows: number;
  readonly cols: number;
  readonly start: Int32Array;
  readonly length: Int32Array;
  readonly offset: Int32Array;
  readonly weights: Float64Array;
  /** The same bank bin by bin when each FFT bin feeds at most two adjacent filters, else null. */
  readonly pairs: BinPairs | null;
}

/**
 * A filterbank in which every FFT bin feeds at most two adjacent filters (true of triangular mel
 * banks, whose filters overlap only with their neighbours): bin `k`, for `first <= k < end`,
 * adds `lower[k - first] * S[k]` to filter `index[k - first]` and `upper[k - first] * S[k]` to
 * filter `index[k - first] + 1`. `index` never decreases, so a single pass over the bins can
 * keep both running sums in locals (see melSpectrogram64).
 */
export interface BinPairs {
  readonly first: number;
  readonly end: number;
  readonly index: Int32Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Runs of equal `index`: run `r` is `segStart[r] <= j < segStart[r + 1]` (j = k - first). */
  readonly segStart: Int32Array;
}

/** The {@link BinPairs} form of dense weights `w` (rows x cols), or null when it does not exist. */
function binPairs(w: Float64Array, rows: number, cols: number): BinPairs | null {
  if (rows < 2) return null;
  let first = -1;
  let end = 0;
  for (let k = 0; k < cols; k++) {
    for (let m = 0; m < rows; m++) {
      if (w[m * cols + k] !== 0) {
        if (first < 0) first = k;
        end = k + 1;
      }
    }
  }
  if (first < 0) return null;
  const n = end - first;
  const index = new Int32Array(n);
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  let prev = 0;
  for (let k = first; k < end; k++) {
    let lo = -1;
    let count = 0;
    for (let m = 0; m < rows; m++) {
      if (w[m * cols + k] !== 0) {
        if (count === 0) lo = m;
        else if (m !== lo + 1) return null;
        count++;
      }
    }
    let idx: number;
    if (count === 0)
      idx = prev; // a gap inside the bank: zero weights on the current pair
    else if (count === 2 || lo + 1 < rows) idx = lo;
    else idx = lo - 1; // only the last filter: make it the pair's upper member
    if (idx < prev) return null;
    const j = k - first;
    index[j] = idx;
    lower[j] = w[idx * cols + k];
    upper[j] = w[(idx + 1) * cols + k];
    prev = idx;
  }
  const starts = [0];
  for (let j = 1; j < n; j++) if (index[j] !== index[j - 1]) starts.push(j);
  starts.push(n);
  return { first, end, index, lower, upper, segStart: Int32Array.from(starts) };
}

function resolveMel(sr: number, nFft: number, o: MelFilterOptions | undefined) {
  const nMels = o?.nMels ?? 128;
  const fmin = o?.fmin ?? 0.0;
  const fmax = o?.fmax ?? sr / 2;
  const htk = o?.htk ?? false;
  const norm = o?.norm === undefined ? 'slaney' : o.norm;
  if (!Number.isFinite(sr) || sr <= 0)
    throw new EmovoxParameterError('sr', `must be > 0, got ${sr} (melFilterbank)`);
  if (!Number.isInteger(nFft) || nFft < 2)
    throw new EmovoxParameterError('nFft', `must be an integer >= 2, got ${nFft} (melFilterbank)`);
  if (!Number.isInteger(nMels) || nMels < 1)
    throw new EmovoxParameterError('nMels', `must be an integer >= 1, got ${nMels} (melFilterbank)`);
  if (!(fmin >= 0) || !(fmax > fmin) || !Number.isFinite(fmax)) {
    throw new EmovoxParameterError(
      'fmin',
      `need 0 <= fmin < fmax, got fmin=${fmin} fmax=${fmax} (melFilterbank)`,
    );
  }
  if (!(norm === 'slaney' || norm === null || norm === 1 || norm === 2 || norm === Infinity)) {
    throw new EmovoxParameterError('norm', `unsupported ${String(norm)} (melFilterbank)`);
  }
  return { nMels, fmin, fmax, htk, norm };
}

/** Dense float64 mel weights (nMels x (1 + nFft/2)), librosa.filters.mel's arithmetic. */
function melWeights64(
  sr: number,
  nFft: number,
  o: MelFilterOptions | undefined,
): { w: Float64Array; rows: number; cols: number } {
  const { nMels, fmin, fmax, htk, norm } = resolveMel(sr, nFft, o);
  const cols = Math.floor(nFft / 2) + 1;
  const fftfreqs = fftFrequencies(sr, nFft);
  const melF = melFrequencies(nMels + 2, fmin, fmax, htk);
  const w = new Float64Array(nMels * cols);
  for (let i = 0; i < nMels; i++) {
    const fdiffLo = melF[i + 1] - melF[i];
    const fdiffHi = melF[i + 2] - melF[i + 1];
    const enorm = norm === 'slaney' ? 2.0 / (melF[i + 2] - melF[i]) : 1;
    for (let k = 0; k < cols; k++) {
      const lower = -(melF[i] - fftfreqs[k]) / fdiffLo;
      const upper = (melF[i + 2] - fftfreqs[k]) / fdiffHi;
      w[i * cols + k] = Math.max(0, Math.min(lower, upper)) * enorm;
    }
    if (norm !== 'slaney' && norm !== null) {
      let len = 0;
      for (let k = 0; k < cols; k++) {
        const v = Math.abs(w[i * cols + k]);
        if (norm === Infinity) len = Math.max(len, v);
        else len += norm === 1 ? v : v * v;
      }
      if (norm === 2) len = Math.sqrt(len);
      if (len >= 1.1754943508222875e-38) for (let k = 0; k < cols; k++) w[i * cols + k] /= len;
    }
  }
  return { w, rows: nMels, cols };
}

/**
 * Mel filterbank (librosa.filters.mel): triangular filters on the mel scale.
 *
 * @param sr sample rate in Hz.
 * @param nFft FFT length.
 * @param options nMels=128, fmin=0 Hz, fmax=sr/2 Hz, htk=false (Slaney scale), norm='slaney'.
 * @returns nMels x (1 + nFft/2) weights.
 */
export function melFilterbank(sr: number, nFft: number, options?: MelFilterOptions): Filterbank {
  const { w, rows, cols } = melWeights64(sr, nFft, options);
  return { data: Float32Array.from(w), rows, cols };
}

const sparseMelCache = new Map<string, SparseFilterbank>();

/** Sparse, cached mel filterbank used by melSpectrogram (only the non-zero span of each filter). */
export function sparseMelFilterbank(sr: number, nFft: number, options?: MelFilterOptions): SparseFilterbank {
  const r = resolveMel(sr, nFft, options);
  const key = `${sr}|${nFft}|${r.nMels}|${r.fmin}|${r.fmax}|${r.htk}|${String(r.norm)}`;
  const hit = sparseMelCache.get(key);
  if (hit) return hit;
  const { w, rows, cols } = melWeights64(sr, nFft, r);
  const start = new Int32Array(rows);
  const length = new Int32Array(rows);
  const offset = new Int32Array(rows);
  const values: number[] = [];
  for (let m = 0; m < rows; m++) {
    let lo = 0;
    while (lo < cols && w[m * cols + lo] === 0) lo++;
    let hi = cols - 1;
    while (hi >= lo && w[m * cols + hi] === 0) hi--;
    start[m] = lo;
    length[m] = Math.max(0, hi - lo + 1);
    offset[m] = values.length;
    for (let k = lo; k <= hi; k++) values.push(w[m * cols + k]);
  }
  const fb: SparseFilterbank = {
    rows,
    cols,
    start,
    length,
    offset,
    weights: Float64Array.from(values),
    pairs: binPairs(w, rows, cols),
  };
  if (sparseMelCache.size > 64) sparseMelCache.clear();
  sparseMelCache.set(key, fb);
  return fb;
}

/** Options of {@link chromaFilterbank}. */
export interface ChromaFilterOptions {
  /** Number of chroma bins per octave. Default 12. */
  nChroma?: number;
  /** Tuning deviation from A440 in fractions of a chroma bin. Default 0. */
  tuning?: number;
  /** Centre of the octave-domain Gaussian weighting, in octaves above A0 (27.5 Hz). Default 5.0. */
  ctroct?: number;
  /** Standard deviation (octaves) of the Gaussian weighting; null disables it. Default 2. */
  octwidth?: number | null;
  /** Per-column (per FFT bin) normalisation: 2 (default), 1, Infinity or null. */
  norm?: 1 | 2 | typeof Infinity | null;
  /** Start the chroma at C (true, default) instead of A. */
  baseC?: boolean;
}

/**
 * The chroma filterbank with its weights stored bin-major (`wT[k * rows + c]` = weight of FFT bin
 * k in chroma row c), so that one pass over a frame's bins updates every row's running sum: the
 * rows' sums keep librosa's order (bin 0 upwards), so the result is the dense matrix product's
 * to the last bit, while the rows' independent sums let the CPU overlap them.
 */
export interface ChromaBank {
  readonly rows: number;
  readonly cols: number;
  readonly wT: Float64Array;
}

const chromaCache = new Map<string, ChromaBank>();

/**
 * The chroma filterbank of these options as a {@link ChromaBank}, cached (tuning estimates
 * repeat at 0.01-bin resolution). Do not mutate.
 */
export function cachedChromaBank(sr: number, nFft: number, o?: ChromaFilterOptions): ChromaBank {
  const key = [sr, nFft, o?.nChroma, o?.tuning, o?.ctroct, o?.octwidth, o?.norm, o?.baseC]
    .map(String)
    .join('|');
  let hit = chromaCache.get(key);
  if (!hit) {
    const { w, rows, cols } = chromaWeights64(sr, nFft, o);
    const wT = new Float64Array(rows * cols);
    for (let c = 0; c < rows; c++) for (let k = 0; k < cols; k++) wT[k * rows + c] = w[c * cols + k];
    hit = { rows, cols, wT };
    if (chromaCache.size > 256) chromaCache.clear();
    chromaCache.set(key, hit);
  }
  return hit;
}

/** Dense float64 chroma weights (nChroma x (1 + nFft/2)), librosa.filters.chroma's arithmetic. */
export function chromaWeights64(
  sr: number,
  nFft: number,
  o?: ChromaFilterOptions,
): { w: Float64Array; rows: number; cols: number } {
  const nChroma = o?.nChroma ?? 12;
  const tuning = o?.tuning ?? 0.0;
  const ctroct = o?.ctroct ?? 5.0;
  const octwidth = o?.octwidth === undefined ? 2 : o.octwidth;
  const norm = o?.norm === undefined ? 2 : o.norm;
  const baseC = o?.baseC ?? true;
  if (!Number.isFinite(sr) || sr <= 0)
    throw new EmovoxParameterError('sr', `must be > 0, got ${sr} (chromaFilterbank)`);
  if (!Number.isInteger(nFft) || nFft < 2)
    throw new EmovoxParameterError('nFft', `must be an integer >= 2, got ${nFft} (chromaFilterbank)`);
  if (!Number.isInteger(nChroma) || nChroma < 1)
    throw new EmovoxParameterError('nChroma', `must be >= 1, got ${nChroma} (chromaFilterbank)`);
  if (!Number.isFinite(tuning))
    throw new EmovoxParameterError('tuning', `must be finite, got ${tuning} (chromaFilterbank)`);
  // librosa builds the matrix over all nFft bins and keeps the first 1 + nFft/2 columns at the
  // end; every step below works column by column, so computing only those columns is the same.
  const cols = Math.floor(nFft / 2) + 1;
  const nf = Math.min(cols + 1, nFft); // frqbins up to the right neighbour of the last column
  const frqbins = new Float64Array(nf);
  // nChroma * hzToOcts(f, tuning, nChroma), with hzToOcts's reference frequency hoisted
  const a440 = 440.0 * 2.0 ** (tuning / nChroma);
  const ref = a440 / 16;
  for (let i = 1; i < nf; i++) {
    const f = i * (sr / nFft); // np.linspace(0, sr, n_fft, endpoint=False)
    frqbins[i] = nChroma * Math.log2(f / ref);
  }
  frqbins[0] = frqbins[1] - 1.5 * nChroma;
  const binwidth = new Float64Array(cols);
  for (let i = 0; i < cols; i++) binwidth[i] = i < nFft - 1 ? Math.max(frqbins[i + 1] - frqbins[i], 1.0) : 1;
  const nChroma2 = Math.round(nChroma / 2);
  const full = new Float64Array(nChroma * cols);
  for (let c = 0; c < nChroma; c++) {
    for (let i = 0; i < cols; i++) {
      const x = frqbins[i] - c + nChroma2 + 10 * nChroma;
      const d = x - Math.floor(x / nChroma) * nChroma - nChroma2; // np.remainder (sign of divisor)
      const z = (2 * d) / binwidth[i];
      full[c * cols + i] = Math.exp(-0.5 * z * z);
    }
  }
  for (let i = 0; i < cols; i++) {
    if (norm !== null) {
      let len = 0;
      for (let c = 0; c < nChroma; c++) {
        const v = Math.abs(full[c * cols + i]);
        if (norm === Infinity) len = Math.max(len, v);
        else len += norm === 1 ? v : v * v;
      }
      if (norm === 2) len = Math.sqrt(len);
      if (len >= 1.1754943508222875e-38) for (let c = 0; c < nChroma; c++) full[c * cols + i] /= len;
    }
    if (octwidth !== null) {
      const z = (frqbins[i] / nChroma - ctroct) / octwidth;
      const g = Math.exp(-0.5 * z * z);
      for (let c = 0; c < nChroma; c++) full[c * cols + i] *= g;
    }
  }
  const shift = baseC ? 3 * Math.floor(nChroma / 12) : 0;
  const w = new Float64Array(nChroma * cols);
  for (let c = 0; c < nChroma; c++) {
    const src = (((c + shift) % nChroma) + nChroma) % nChroma; // np.roll(wts, -shift, axis=0)
    w.set(full.subarray(src * cols, (src + 1) * cols), c * cols);
  }
  return { w, rows: nChroma, cols };
}

/**
 * Chroma filterbank (librosa.filters.chroma): maps each FFT bin to the 12 pitch classes with
 * Gaussian bumps, columns normalised, weighted by a Gaussian over octaves centred at `ctroct`.
 *
 * @param sr sample rate in Hz.
 * @param nFft FFT length.
 * @param options nChroma=12, tuning=0 (bins), ctroct=5.0, octwidth=2, norm=2, baseC=true.
 * @returns nChroma x (1 + nFft/2) weights, row 0 = C when baseC.
 */
export function chromaFilterbank(sr: number, nFft: number, options?: ChromaFilterOptions): Filterbank {
  const { w, rows, cols } = chromaWeights64(sr, nFft, options);
  return { data: Float32Array.from(w), rows, cols };
}
