import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import { delta } from './delta.js';
import { isNonEmptyFeatureMatrix, type FeatureMatrix } from '../dsp/matrix.js';

/** A fixed-length utterance vector with one name per value. */
export interface NamedVector {
  readonly values: Float32Array;
  readonly names: string[];
}

/** A statistic computed over the frames of each feature column. */
export type Functional = 'mean' | 'std' | 'min' | 'max' | 'slope' | 'percentiles';

/** Options of {@link functionals}. */
export interface FunctionalsOptions {
  /** Name prefix of the columns: column k is `${prefix}${k}` (0-based). Default 'f'. */
  prefix?: string;
  /** Explicit column names (length = bins); overrides prefix. */
  columnNames?: string[];
  /** Statistics, in output order. Default ['mean', 'std', 'min', 'max', 'percentiles', 'slope']. */
  stats?: Functional[];
  /** Percentiles (0..100) for 'percentiles', numpy's linear interpolation. Default [10, 50, 90]. */
  percentiles?: number[];
  /** Delta orders whose statistics are appended (`name_delta_stat`, `name_delta2_stat`). Default [1]. */
  deltaOrders?: number[];
  /** Delta window (frames), see {@link delta}; shrunk to the largest odd width <= frames for short inputs. Default 9. */
  deltaWidth?: number;
}

const DEFAULT_STATS: Functional[] = ['mean', 'std', 'min', 'max', 'percentiles', 'slope'];

/** numpy.percentile(values, q) with the default 'linear' method; `sorted` ascending, non-empty. */
export function percentileSorted(sorted: Float64Array, q: number): number {
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const frac = pos - lo;
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

function statNames(stats: Functional[], percentiles: number[]): string[] {
  const out: string[] = [];
  for (const s of stats) {
    if (s === 'percentiles') for (const p of percentiles) out.push(`p${p}`);
    else out.push(s);
  }
  return out;
}

/** Statistics of one column (NaN values skipped; all-NaN or empty gives NaN). */
function columnStats(col: Float64Array, stats: Functional[], percentiles: number[], out: number[]): void {
  const finite: number[] = [];
  const idx: number[] = [];
  for (let i = 0; i < col.length; i++) {
    if (!Number.isNaN(col[i])) {
      finite.push(col[i]);
      idx.push(i);
    }
  }
  const n = finite.length;
  let mean = 0;
  for (const v of finite) mean += v;
  mean /= n;
  let sorted: Float64Array | null = null;
  for (const s of stats) {
    if (n === 0) {
      const count = s === 'percentiles' ? percentiles.length : 1;
      for (let i = 0; i < count; i++) out.push(NaN);
      continue;
    }
    switch (s) {
      case 'mean':
        out.push(mean);
        break;
      case 'std': {
        let acc = 0;
        for (const v of finite) acc += (v - mean) ** 2;
        out.push(Math.sqrt(acc / n));
        break;
      }
      case 'min':
        out.push(Math.min(...finite));
        break;
      case 'max':
        out.push(Math.max(...finite));
        break;
      case 'percentiles':
        sorted ??= Float64Array.from(finite).sort();
        for (const p of percentiles) out.push(percentileSorted(sorted, p));
        break;
      case 'slope': {
        // least-squares slope against the frame index (units per frame)
        let mx = 0;
        for (const i of idx) mx += i;
        mx /= n;
        let sxy = 0;
        let sxx = 0;
        for (let j = 0; j < n; j++) {
          const dx = idx[j] - mx;
          sxy += dx * (finite[j] - mean);
          sxx += dx * dx;
        }
        out.push(sxx === 0 ? 0 : sxy / sxx);
        break;
      }
    }
  }
}

function matrixFunctionals(
  m: FeatureMatrix,
  names: string[],
  suffix: string,
  stats: Functional[],
  percentiles: number[],
  values: number[],
  outNames: string[],
): void {
  const sn = statNames(stats, percentiles);
  const col = new Float64Array(m.frames);
  for (let k = 0; k < m.bins; k++) {
    for (let t = 0; t < m.frames; t++) col[t] = m.data[t * m.bins + k];
    columnStats(col, stats, percentiles, values);
    for (const s of sn) outNames.push(`${names[k]}${suffix}_${s}`);
  }
}

/**
 * Utterance-level functionals of a frames x bins matrix: per column, the chosen statistics
 * over frames, then the same on its deltas. Values are grouped by column, then statistic:
 * `f0_mean, f0_std, ..., f1_mean, ..., f0_delta_mean, ...`.
 *
 * NaN entries (e.g. unvoiced pitch) are skipped; a column with no finite value yields NaN.
 * std is the population standard deviation (numpy's default ddof=0); slope is the
 * least-squares slope against the frame index (units per frame). Deltas need at least 3
 * frames: for fewer, the delta statistics are 0.
 *
 * @param m frames x bins features.
 * @param options prefix='f', stats=['mean','std','min','max','percentiles','slope'],
 *   percentiles=[10, 50, 90], deltaOrders=[1], deltaWidth=9.
 */
export function functionals(m: FeatureMatrix, options?: FunctionalsOptions): NamedVector {
  const source = 'functionals';
  if (!isNonEmptyFeatureMatrix(m)) {
    throw new EmovoxInputError('m', `must be a non-empty FeatureMatrix (${source})`);
  }
  const stats = options?.stats ?? DEFAULT_STATS;
  const percentiles = options?.percentiles ?? [10, 50, 90];
  for (const p of percentiles)
    if (!(p >= 0 && p <= 100))
      throw new EmovoxParameterError('percentiles', `percentile ${p} is outside 0..100 (${source})`);
  for (const s of stats)
    if (!DEFAULT_STATS.includes(s))
      throw new EmovoxParameterError('stats', `unknown statistic '${String(s)}' (${source})`);
  const prefix = options?.prefix ?? 'f';
  const names = options?.columnNames ?? Array.from({ length: m.bins }, (_, k) => `${prefix}${k}`);
  if (names.length !== m.bins)
    throw new EmovoxParameterError(
      'columnNames',
      `has ${names.length} names for ${m.bins} columns (${source})`,
    );
  const values: number[] = [];
  const outNames: string[] = [];
  matrixFunctionals(m, names, '', stats, percentiles, values, outNames);
  for (const order of options?.deltaOrders ?? [1]) {
    const suffix = order === 1 ? '_delta' : `_delta${order}`;
    let width = options?.deltaWidth ?? 9;
    if (width > m.frames) width = m.frames % 2 === 1 ? m.frames : m.frames - 1;
    if (width < 3 || order >= width) {
      const zero = { data: new Float32Array(m.data.length), frames: m.frames, bins: m.bins };
      matrixFunctionals(zero, names, suffix, stats, percentiles, values, outNames);
      continue;
    }
    // delta() does not skip NaN: frames with NaN produce NaN deltas, which the stats then skip.
    matrixFunctionals(delta(m, { width, order }), names, suffix, stats, percentiles, values, outNames);
  }
  return { values: Float32Array.from(values), names: outNames };
}

/** Concatenates named vectors (values and names, in order). */
export function concatVectors(...parts: NamedVector[]): NamedVector {
  const names = parts.flatMap((p) => p.names);
  const values = new Float32Array(names.length);
  let off = 0;
  for (const p of parts) {
    values.set(p.values, off);
    off += p.values.length;
  }
  return { values, names };
}
