import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import type { FeatureMatrix } from '../dsp/matrix.js';

/** Options of {@link delta}. */
export interface DeltaOptions {
  /** Number of frames in the local fit; odd, >= 3. Default 9. */
  width?: number;
  /** Derivative order (1 = delta, 2 = delta-delta, ...). Default 1. */
  order?: number;
}

const coeffCache = new Map<string, Float64Array>();

/**
 * Savitzky-Golay weights giving `order!` times the leading coefficient of a degree-`order`
 * least-squares polynomial fit over `width` equally spaced points: the `order`-th derivative
 * of that fit, which is constant over the window.
 */
function derivativeWeights(width: number, order: number): Float64Array {
  const key = `${width}|${order}`;
  const hit = coeffCache.get(key);
  if (hit) return hit;
  const half = (width - 1) / 2;
  const p = order + 1;
  // Normal equations (A^T A) c = e_order with A[i][j] = x_i^j, x_i = i - half.
  const ata = Array.from({ length: p }, () => new Float64Array(p));
  for (let i = 0; i < width; i++) {
    const x = i - half;
    for (let r = 0; r < p; r++) for (let c = 0; c < p; c++) ata[r][c] += x ** (r + c);
  }
  const rhs = new Float64Array(p);
  rhs[order] = 1;
  // Gaussian elimination with partial pivoting (p is tiny).
  for (let col = 0; col < p; col++) {
    let piv = col;
    for (let r = col + 1; r < p; r++) if (Math.abs(ata[r][col]) > Math.abs(ata[piv][col])) piv = r;
    [ata[col], ata[piv]] = [ata[piv], ata[col]];
    [rhs[col], rhs[piv]] = [rhs[piv], rhs[col]];
    for (let r = col + 1; r < p; r++) {
      const f = ata[r][col] / ata[col][col];
      for (let c = col; c < p; c++) ata[r][c] -= f * ata[col][c];
      rhs[r] -= f * rhs[col];
    }
  }
  const sol = new Float64Array(p);
  for (let r = p - 1; r >= 0; r--) {
    let s = rhs[r];
    for (let c = r + 1; c < p; c++) s -= ata[r][c] * sol[c];
    sol[r] = s / ata[r][r];
  }
  let fact = 1;
  for (let k = 2; k <= order; k++) fact *= k;
  const w = new Float64Array(width);
  for (let i = 0; i < width; i++) {
    const x = i - half;
    let v = 0;
    for (let j = 0; j < p; j++) v += sol[j] * x ** j;
    w[i] = v * fact;
  }
  coeffCache.set(key, w);
  return w;
}

/**
 * Delta features (librosa.feature.delta, mode 'interp'): the local `order`-th derivative of each
 * feature along time, from a Savitzky-Golay fit of degree `order` over `width` frames
 * (scipy.signal.savgol_filter). The first and last `width / 2` frames use the fit over the first
 * / last `width` frames, as savgol's 'interp' mode does.
 *
 * @param data frames x bins features.
 * @param options width=9 (odd, >= 3, <= frames), order=1.
 * @returns frames x bins, in units of the input per frame^order.
 */
export function delta(data: FeatureMatrix, options?: DeltaOptions): FeatureMatrix {
  const source = 'delta';
  const width = options?.width ?? 9;
  const order = options?.order ?? 1;
  if (!Number.isInteger(width) || width < 3 || width % 2 === 0) {
    throw new EmovoxParameterError('width', `must be an odd integer >= 3, got ${width} (${source})`);
  }
  if (!Number.isInteger(order) || order < 1)
    throw new EmovoxParameterError('order', `must be a positive integer, got ${order} (${source})`);
  if (order >= width)
    throw new EmovoxParameterError('order', `${order} must be < width = ${width} (${source})`);
  if (!data || !(data.data instanceof Float32Array) || data.data.length !== data.frames * data.bins) {
    throw new EmovoxInputError('data', `must be a FeatureMatrix (${source})`);
  }
  const { frames, bins } = data;
  if (frames < width) {
    throw new EmovoxInputError(
      'data',
      `width=${width} needs at least ${width} frames, got ${frames} (librosa raises here too) (${source})`,
    );
  }
  const w = derivativeWeights(width, order);
  const half = (width - 1) / 2;
  const src = data.data;
  const out = new Float32Array(src.length);
  for (let t = 0; t < frames; t++) {
    const start = t < half ? 0 : t >= frames - half ? frames - width : t - half;
    for (let k = 0; k < bins; k++) {
      let acc = 0;
      for (let i = 0; i < width; i++) acc += w[i] * src[(start + i) * bins + k];
      out[t * bins + k] = acc;
    }
  }
  return { data: out, frames, bins };
}
