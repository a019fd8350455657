import { EmovoxParameterError } from '../util/errors.js';
import { dot } from './dot.js';
import { matrixToF64, type FeatureMatrix, type Matrix64 } from './matrix.js';

const dctCache = new Map<string, Float64Array>();

/**
 * Orthonormal DCT-II basis (scipy.fft.dct(type=2, norm='ortho')), cached: do not mutate.
 *
 * @param nOut number of coefficients (rows).
 * @param n input length (columns).
 * @returns nOut x n row-major, `basis[k * n + i] = s_k cos(pi k (2i + 1) / (2n))` with
 *   `s_0 = sqrt(1/n)`, `s_k = sqrt(2/n)`.
 */
export function dctBasis(nOut: number, n: number): Float64Array {
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
  if (!Number.isInteger(nMfcc) || nMfcc < 1)
    throw new EmovoxParameterError('nMfcc', `must be an integer >= 1, got ${nMfcc} (${source})`);
  if (nMfcc > nMels)
    throw new EmovoxParameterError('nMfcc', `${nMfcc} must be <= nMels = ${nMels} (${source})`);
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

/**
 * Orthonormal DCT-II of each frame (row) of `m` (scipy.fft.dct(type=2, norm='ortho') along the
 * bins axis), first `nOut` coefficients: the cepstrum step of MFCC.
 *
 * @param m frames x n matrix (finite values).
 * @param nOut coefficients kept per frame, 1..n. Default n.
 * @returns frames x nOut.
 */
export function dct(m: FeatureMatrix, nOut = m.bins): FeatureMatrix {
  return dctCepstrum(matrixToF64(m, 'dct', false), nOut, 0, 'dct');
}
