import { EmovoxInputError } from '../util/errors.js';
import {
  gcd,
  planRanges,
  resamplePlan,
  SPECS,
  stageOrigin,
  type ResampleOptions,
  type ResampleQuality,
  fftBlocks,
  type FftStage,
  type PolyStage,
} from './resample-plan.js';
import FFT from 'fft.js';
import { resampleByKernel } from './wasm/resample-kernel.js';

export type { ResampleOptions, ResampleQuality } from './resample-plan.js';
export { resamplePlan } from './resample-plan.js';

/**
 * Outputs [n0, n0 + count) of a stage into `out`, in float64 arithmetic (the reference the
 * WebAssembly kernel is tested against). `u[i]` is input sample `uFirst + i` and must cover
 * {@link stageInputRange}.
 */
function runPolyJs(
  stage: PolyStage,
  u: Float32Array,
  uFirst: number,
  n0: number,
  count: number,
  out: Float32Array,
): void {
  const { taps, half, phases, table } = stage.kernel;
  if (stage.exact) {
    const { L, M } = stage;
    let k = stageOrigin(stage, n0);
    let row = n0 * M - k * L;
    const mDiv = Math.floor(M / L);
    const mMod = M - mDiv * L;
    for (let j = 0; j < count; j++) {
      const start = k - half + 1 - uFirst;
      const base = row * taps;
      // taps is even: two accumulators halve the dependency chain.
      let a0 = 0;
      let a1 = 0;
      for (let t = 0; t < taps; t += 2) {
        a0 += u[start + t] * table[base + t];
        a1 += u[start + t + 1] * table[base + t + 1];
      }
      out[j] = a0 + a1;
      row += mMod;
      k += mDiv;
      if (row >= L) {
        row -= L;
        k++;
      }
    }
  } else {
    for (let j = 0; j < count; j++) {
      const pos = (n0 + j) * stage.step;
      const k0 = Math.floor(pos);
      const phase = (pos - k0) * phases;
      const q = Math.floor(phase);
      const a = phase - q;
      const row0 = q * taps;
      const row1 = row0 + taps;
      const start = k0 - half + 1 - uFirst;
      let acc0 = 0;
      let acc1 = 0;
      for (let t = 0; t < taps; t++) {
        const x = u[start + t];
        acc0 += x * table[row0 + t];
        acc1 += x * table[row1 + t];
      }
      out[j] = acc0 + a * (acc1 - acc0);
    }
  }
}

const fftCache = new Map<number, FFT>();

function fftOf(n: number): FFT {
  let f = fftCache.get(n);
  if (!f) {
    f = new FFT(n);
    if (fftCache.size > 16) fftCache.clear();
    fftCache.set(n, f);
  }
  return f;
}

/**
 * Outputs [first, end) of an FFT stage in float64 (fft.js), the same algorithm as the kernel's
 * fftFilter: two blocks per complex transform, the product conjugated and transformed forward
 * again (so the result is the conjugated inverse), every D-th sample kept.
 */
function runFftJs(stage: FftStage, u: Float32Array, first: number, end: number, out: Float32Array): void {
  const { U, D } = stage;
  const { N, S, P, spectrum } = stage.js;
  const M = U * N;
  const { i0, blocks } = fftBlocks(stage, 'js', first, end);
  const forward = fftOf(N);
  const back = fftOf(M);
  const z = new Float64Array(2 * N);
  const zf = new Float64Array(2 * N);
  const y = new Float64Array(2 * M);
  const yf = new Float64Array(2 * M);
  for (let b = 0; b < blocks; b += 2) {
    for (let i = 0; i < N; i++) {
      z[2 * i] = u[b * S + i];
      z[2 * i + 1] = u[(b + 1) * S + i];
    }
    forward.transform(zf, z);
    for (let k = 0; k < M; k++) {
      const kk = k % N;
      y[2 * k] = zf[2 * kk] * spectrum[k];
      y[2 * k + 1] = -zf[2 * kk + 1] * spectrum[k];
    }
    back.transform(yf, y);
    for (let half = 0; half < 2; half++) {
      const sign = half ? -1 : 1;
      const mStart = U * (i0 + (b + half) * S);
      const jEnd = Math.min(end, Math.ceil((mStart + U * S) / D));
      for (let j = Math.max(first, Math.ceil(mStart / D)); j < jEnd; j++) {
        out[j - first] = sign * yf[2 * (j * D - mStart + U * P) + half];
      }
    }
  }
}

/** Output length of resampling n samples (librosa's: ceil(n * srOut / srIn)). */
function outputLength(n: number, srIn: number, srOut: number): number {
  if (Number.isInteger(srIn) && Number.isInteger(srOut)) {
    const g = gcd(srIn, srOut);
    return Math.ceil((n * (srOut / g)) / (srIn / g));
  }
  return Math.ceil((n * srOut) / srIn);
}

function checkArguments(srIn: number, srOut: number, quality: ResampleQuality): void {
  if (!SPECS[quality]) throw new EmovoxInputError('resample', `unknown quality '${quality}'`);
  for (const [what, rate] of [
    ['srIn', srIn],
    ['srOut', srOut],
  ] as const) {
    if (!Number.isFinite(rate) || rate <= 0)
      throw new EmovoxInputError('resample', `${what}=${rate} Hz is not a valid rate`);
  }
}

/**
 * {@link resample} computed in JavaScript (float64 sums over the same float32 tables): the
 * fallback where WebAssembly SIMD is missing or EMOVOX_RESAMPLE=js, and the reference the
 * kernel is tested against.
 */
export function resampleJs(
  y: Float32Array,
  srIn: number,
  srOut: number,
  options: ResampleOptions = {},
): Float32Array {
  const quality = options.quality ?? 'high';
  checkArguments(srIn, srOut, quality);
  if (srIn === srOut) return y.slice();
  const nOut = outputLength(y.length, srIn, srOut);
  if (nOut === 0) return new Float32Array(0);
  const plan = resamplePlan(srIn, srOut, quality);
  const { ranges, input } = planRanges(plan, 'js', nOut);
  // zero-padded input: u[i] is sample input[0] + i
  let u = new Float32Array(input[1] - input[0]);
  const from = Math.max(0, input[0]);
  const to = Math.min(y.length, input[1]);
  if (to > from) u.set(y.subarray(from, to), from - input[0]);
  let uFirst = input[0];
  for (const [i, stage] of plan.stages.entries()) {
    const [first, end] = ranges[i];
    const out = new Float32Array(end - first);
    if (stage.kind === 'fft') runFftJs(stage, u, first, end, out);
    else runPolyJs(stage, u, uFirst, first, end - first, out);
    u = out;
    uFirst = first;
  }
  return u;
}

/**
 * Band-limited resampling by a Kaiser-windowed sinc, polyphase for rational ratios (the filter
 * is zero-phase: no delay, the signal is zero beyond its ends). Large downsampling ratios run
 * as two stages ({@link resamplePlan}); the dot products run in a WebAssembly SIMD kernel
 * (float32, src/audio/wasm/resample-kernel.as.ts) with a float64 JavaScript fallback
 * ({@link resampleJs}) that gives the same values within 1e-6.
 *
 * @param y - mono signal.
 * @param srIn - its sample rate in Hz (> 0).
 * @param srOut - target sample rate in Hz (> 0).
 * @param options.quality - `'low' | 'medium' | 'high'` (default `'high'`; see {@link ResampleQuality}).
 * @returns a new Float32Array of length ceil(y.length * srOut / srIn) (librosa's length).
 */
export function resample(
  y: Float32Array,
  srIn: number,
  srOut: number,
  options: ResampleOptions = {},
): Float32Array {
  const quality = options.quality ?? 'high';
  checkArguments(srIn, srOut, quality);
  if (srIn === srOut) return y.slice();
  const nOut = outputLength(y.length, srIn, srOut);
  if (nOut === 0) return new Float32Array(0);
  const plan = resamplePlan(srIn, srOut, quality);
  return resampleByKernel(plan, y, nOut) ?? resampleJs(y, srIn, srOut, options);
}
