// Filter design and stage planning of the resampler (pure arithmetic, shared by the JavaScript
// path in resample.ts and the WebAssembly kernel's driver in wasm/resample-kernel.ts).
import FFT from 'fft.js';
/**
 * Resampler quality presets. Band edges are fractions of the lower of the two Nyquist
 * frequencies; the anti-aliasing / anti-imaging filter is a Kaiser-windowed sinc designed for
 * the stated stopband attenuation (Kaiser's formulas).
 *
 * | quality  | passband edge | stopband edge | attenuation | taps per output (one stage, at the low rate) |
 * |----------|---------------|---------------|-------------|------|
 * | `low`    | 0.70          | 1.00          | 60 dB       | 24   |
 * | `medium` | 0.80          | 1.00          | 80 dB       | 50   |
 * | `high`   | 0.90          | 1.00          | 100 dB      | 128  |
 */
export type ResampleQuality = 'low' | 'medium' | 'high';

/** Options of {@link resample}. */
export interface ResampleOptions {
  /** Filter preset (default `'high'`, comparable to soxr 'HQ', librosa's default). */
  quality?: ResampleQuality;
}

interface FilterSpec {
  passband: number;
  stopband: number;
  attenuationDb: number;
}

export const SPECS: Record<ResampleQuality, FilterSpec> = {
  low: { passband: 0.7, stopband: 1.0, attenuationDb: 60 },
  medium: { passband: 0.8, stopband: 1.0, attenuationDb: 80 },
  high: { passband: 0.9, stopband: 1.0, attenuationDb: 100 },
};

/** Zeroth-order modified Bessel function of the first kind (power series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7);
  if (attenuationDb >= 21) return 0.5842 * (attenuationDb - 21) ** 0.4 + 0.07886 * (attenuationDb - 21);
  return 0;
}

export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Largest polyphase table (coefficients) built exactly; beyond it phases are interpolated. */
const MAX_EXACT_TABLE = 1 << 21;
/** Phase resolution of the interpolated table (linear interpolation error ~ -106 dB). */
const INTERP_PHASES = 2048;
/** Table rows are padded with zero taps to this multiple (the SIMD kernel's step). */
const TAP_MULTIPLE = 8;

/** A Kaiser-windowed sinc lowpass as a polyphase table. */
export interface PolyphaseKernel {
  /** Taps per row, zero-padded to a multiple of 8 (`2 * half` of them are the filter). */
  readonly taps: number;
  readonly half: number;
  readonly phases: number;
  /**
   * `phases` rows (+1 when interpolated) of `taps` coefficients; row q, tap t is
   * h(q / phases - j) for j = t - half + 1 (the distance from the output instant to input sample
   * k0 + j is q / phases - j input samples).
   */
  readonly table: Float32Array;
}

/**
 * A polyphase stage: output n of `rateOut` sits at input position n * rateIn / rateOut and is
 * the dot product of input samples k0 - half + 1 .. k0 - half + taps (k0 = floor of that
 * position) with the table row of its phase (exact rational phases, or two rows interpolated).
 */
export interface PolyStage {
  readonly kind: 'poly';
  readonly rateIn: number;
  readonly rateOut: number;
  readonly kernel: PolyphaseKernel;
  /** Exact phases: L rows, positions n * M / L in integers. */
  readonly exact: boolean;
  readonly L: number;
  readonly M: number;
  /** rateIn / rateOut (interpolated stages). */
  readonly step: number;
}

/**
 * How an FFT stage is cut into blocks: input blocks of N samples advance by S = N - 2P; with
 * `fold` the spectrum is folded by D before the inverse transform (N, S, P multiples of D).
 */
export interface FftLayout {
  readonly N: number;
  readonly S: number;
  readonly P: number;
  readonly fold: boolean;
  /** The filter's (real) spectrum on U * N points, times 1 / (U * N). */
  readonly spectrum: Float32Array;
}

/**
 * A stage filtered by FFT (overlap-save): zero-stuff by U (1 or 2), convolve with a zero-phase
 * Kaiser-windowed sinc of 2 * half - 1 taps at U * rateIn, keep every D-th sample. Output j is
 * y[j * D] of the filtered U-times-rate signal y. The kernel and the JavaScript path cut the
 * work into blocks differently (`kernel`: N may be 3 times a power of two and the decimation
 * folded into the spectrum; `js`: fft.js sizes), for the same result.
 */
export interface FftStage {
  readonly kind: 'fft';
  readonly rateIn: number;
  readonly rateOut: number;
  readonly U: 1 | 2;
  readonly D: number;
  readonly half: number;
  readonly kernel: FftLayout;
  readonly js: FftLayout;
}

export type ResampleStage = PolyStage | FftStage;

/** The stages of one rate conversion at one quality, first to last. */
export interface ResamplePlan {
  readonly key: string;
  readonly stages: readonly ResampleStage[];
}

function buildKernel(
  passHz: number,
  stopHz: number,
  rateIn: number,
  attenuationDb: number,
  phases: number,
  interpolated: boolean,
): PolyphaseKernel {
  const transition = (2 * Math.PI * (stopHz - passHz)) / rateIn; // rad per input sample
  const order = Math.ceil((attenuationDb - 8) / (2.285 * transition));
  const half = Math.max(2, Math.ceil(order / 2));
  const fc = (passHz + stopHz) / 2 / rateIn; // cycles per input sample
  const beta = kaiserBeta(attenuationDb);
  const i0Beta = besselI0(beta);
  const taps = Math.ceil((2 * half) / TAP_MULTIPLE) * TAP_MULTIPLE;
  const rows = phases + (interpolated ? 1 : 0);
  const table = new Float32Array(rows * taps);
  for (let q = 0; q < rows; q++) {
    const frac = q / phases;
    for (let t = 0; t < 2 * half; t++) {
      const j = t - half + 1;
      const tau = frac - j; // distance from the output instant to input sample k0 + j, in input samples
      const x = 2 * fc * tau;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const r = tau / half;
      const window = Math.abs(r) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
      table[q * taps + t] = 2 * fc * sinc * window;
    }
  }
  return { taps, half, phases, table };
}

/** Taps of a stage from rateIn with these band edges (without building it). */
function tapsFor(passHz: number, stopHz: number, rateIn: number, attenuationDb: number): number {
  const order = Math.ceil((attenuationDb - 8) / (2.285 * ((2 * Math.PI * (stopHz - passHz)) / rateIn)));
  return Math.ceil((2 * Math.max(2, Math.ceil(order / 2))) / TAP_MULTIPLE) * TAP_MULTIPLE;
}

interface StageShape {
  exact: boolean;
  L: number;
  M: number;
}

function stageShape(rateIn: number, rateOut: number, taps: number): StageShape {
  if (Number.isInteger(rateIn) && Number.isInteger(rateOut)) {
    const g = gcd(rateIn, rateOut);
    const L = rateOut / g;
    const M = rateIn / g;
    if (L * taps <= MAX_EXACT_TABLE) return { exact: true, L, M };
    return { exact: false, L, M };
  }
  return { exact: false, L: 0, M: 0 };
}

function polyStage(
  rateIn: number,
  rateOut: number,
  passHz: number,
  stopHz: number,
  attenuationDb: number,
): PolyStage {
  const shape = stageShape(rateIn, rateOut, tapsFor(passHz, stopHz, rateIn, attenuationDb));
  const kernel = shape.exact
    ? buildKernel(passHz, stopHz, rateIn, attenuationDb, shape.L, false)
    : buildKernel(passHz, stopHz, rateIn, attenuationDb, INTERP_PHASES, true);
  return {
    kind: 'poly',
    rateIn,
    rateOut,
    kernel,
    exact: shape.exact,
    L: shape.L,
    M: shape.M,
    step: rateIn / rateOut,
  };
}

/**
 * Half-length of the FFT stage's filter at rate `rate` (taps -half+1 .. half-1; the Kaiser
 * window is zero at +-half).
 */
function fftHalf(passHz: number, stopHz: number, rate: number, attenuationDb: number): number {
  const order = Math.ceil((attenuationDb - 8) / (2.285 * ((2 * Math.PI * (stopHz - passHz)) / rate)));
  return Math.ceil(order / 2) + 1;
}

/** True when D = 2^a or 3 * 2^a: the kernel can fold by D (its FFT sizes are p and 3p). */
function foldable(D: number): boolean {
  let d = D % 3 === 0 ? D / 3 : D;
  while (d % 2 === 0) d /= 2;
  return D > 1 && d === 1;
}

/** Block layout of an FFT stage (`fold`: N = D * 2^k >= 8 P, P and S multiples of D). */
function fftLayout(half: number, U: number, D: number, fold: boolean, h: (n: number) => number): FftLayout {
  const P = fold ? Math.ceil(half / D) * D : Math.ceil(half / U);
  const N = fold
    ? D * Math.max(16, 2 ** Math.ceil(Math.log2((8 * P) / D)))
    : Math.max(64, 2 ** Math.ceil(Math.log2(8 * P)));
  const M = U * N;
  // the zero-phase taps wrapped around 0; H[k] = sum_n h[n] cos(2 pi k n / M) (real, even)
  const spectrum = new Float32Array(M);
  if ((M & (M - 1)) === 0) {
    const taps = new Array<number>(M).fill(0);
    for (let n = -half + 1; n < half; n++) taps[(n + M) % M] = h(n);
    const fft = new FFT(M);
    const out = fft.createComplexArray() as number[];
    fft.realTransform(out, taps);
    for (let k = 0; k < M; k++) spectrum[k] = out[2 * (k <= M / 2 ? k : M - k)] / M;
  } else {
    const taps = Array.from({ length: half }, (_, n) => h(n));
    for (let k = 0; k <= M / 2; k++) {
      let acc = taps[0];
      for (let n = 1; n < half; n++) acc += 2 * taps[n] * Math.cos((2 * Math.PI * ((k * n) % M)) / M);
      spectrum[k] = acc / M;
      if (k > 0) spectrum[M - k] = spectrum[k];
    }
  }
  return { N, S: N - 2 * P, P, fold, spectrum };
}

function fftStage(
  rateIn: number,
  U: 1 | 2,
  D: number,
  passHz: number,
  stopHz: number,
  attenuationDb: number,
): FftStage {
  const rate = U * rateIn;
  const half = fftHalf(passHz, stopHz, rate, attenuationDb);
  const fc = (passHz + stopHz) / 2 / rate;
  const beta = kaiserBeta(attenuationDb);
  const i0Beta = besselI0(beta);
  // zero-phase taps, DC gain U (zero-stuffing divides the level by U)
  const h = (n: number): number => {
    const x = 2 * fc * n;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const r = n / half;
    return U * 2 * fc * sinc * (besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta);
  };
  const js = fftLayout(half, U, D, false, h);
  const kernel = U === 1 && foldable(D) ? fftLayout(half, U, D, true, h) : js;
  return { kind: 'fft', rateIn, rateOut: rate / D, U, D, half, kernel, js };
}

/** Estimated nanoseconds per output of a polyphase stage (interpolated stages compute two rows). */
function polyCost(rateIn: number, rateOut: number, taps: number): number {
  return (stageShape(rateIn, rateOut, taps).exact ? 1 : 2) * taps * 0.14 + 2.5;
}

/** Estimated nanoseconds per input sample of an FFT stage (two blocks per complex transform). */
function fftCost(U: number, D: number, half: number): number {
  if (U === 1 && foldable(D)) {
    const P = Math.ceil(half / D) * D;
    const N = D * Math.max(16, 2 ** Math.ceil(Math.log2((8 * P) / D)));
    return (2.6 * N + 2.4 * (N / D)) / (2 * (N - 2 * P)) + 0.5;
  }
  const P = Math.ceil(half / U);
  const N = Math.max(64, 2 ** Math.ceil(Math.log2(8 * P)));
  const S = N - 2 * P;
  return (2.4 * N + 2.8 * U * N) / (2 * S) + U / D;
}

const planCache = new Map<string, ResamplePlan>();

/**
 * The cheapest filter chain for srIn -> srOut at `quality`, by estimated time:
 * - one polyphase stage (the Kaiser sinc above; cheap for short filters);
 * - downsampling by a large ratio: a polyphase stage that decimates by an integer D with a
 *   relaxed filter (flat to the final stopband edge, rejecting only what would alias below it),
 *   then the sharp polyphase stage at srIn / D, which needs D times fewer taps;
 * - the sharp filter by FFT at srIn (downsampling: keeping every R-th sample when the ratio R is
 *   an integer) or at 2 srIn (upsampling, or downsampling by less than 2), then a short
 *   polyphase stage with a relaxed filter to srOut: cost nearly independent of the filter's
 *   length.
 * Every chain meets the preset's passband and stopband.
 */
export function resamplePlan(srIn: number, srOut: number, quality: ResampleQuality): ResamplePlan {
  const key = `${srIn}|${srOut}|${quality}`;
  const cached = planCache.get(key);
  if (cached) return cached;
  const spec = SPECS[quality];
  const nyqLow = Math.min(srIn, srOut) / 2;
  const pass = spec.passband * nyqLow;
  const stop = spec.stopband * nyqLow;
  const A = spec.attenuationDb;
  const inPerOut = srIn / srOut;
  // In a chain the stages' passband ripples add up: the sharp stage gets 6 dB and the relaxed
  // one (few taps either way) 12 dB more attenuation, so the chain stays within the preset.
  const sharp = A + 6;
  const relaxed = A + 12;
  let best = polyCost(srIn, srOut, tapsFor(pass, stop, srIn, A));
  let build = (): ResampleStage[] => [polyStage(srIn, srOut, pass, stop, A)];
  for (let D = 2; srOut < srIn && srIn / D > 1.1 * srOut; D++) {
    const mid = srIn / D;
    const cost =
      polyCost(srIn, mid, tapsFor(stop, mid - stop, srIn, relaxed)) * (mid / srOut) +
      polyCost(mid, srOut, tapsFor(pass, stop, mid, sharp));
    if (cost < best) {
      best = cost;
      build = () => [
        polyStage(srIn, mid, stop, mid - stop, relaxed),
        polyStage(mid, srOut, pass, stop, sharp),
      ];
    }
  }
  // FFT: integer decimation in one stage; else through 2 srIn (upsampling, or downsampling by
  // less than 2), or through srIn / D (D = 1, or a D the kernel folds) when that stays above
  // 1.2 srOut, then the relaxed polyphase stage
  const ratio = srIn / srOut;
  const candidates: Array<[1 | 2, number]> = [];
  if (Number.isInteger(ratio) && ratio >= 2) candidates.push([1, ratio]);
  else if (ratio < 2) candidates.push([2, 1]);
  else {
    candidates.push([1, 1]);
    for (let D = 2; srIn / D >= 1.2 * srOut; D++) if (foldable(D)) candidates.push([1, D]);
  }
  for (const [U, D] of candidates) {
    const fftMid = (U * srIn) / D;
    const single = fftMid === srOut;
    const half = fftHalf(pass, stop, U * srIn, single ? A : sharp);
    let cost = fftCost(U, D, half) * inPerOut;
    if (!single) cost += polyCost(fftMid, srOut, tapsFor(stop, fftMid - stop, fftMid, relaxed));
    if (cost < best) {
      best = cost;
      build = () => {
        const first = fftStage(srIn, U, D, pass, stop, single ? A : sharp);
        return single ? [first] : [first, polyStage(fftMid, srOut, stop, fftMid - stop, relaxed)];
      };
    }
  }
  const plan = { key, stages: build() };
  if (planCache.size > 32) planCache.clear();
  planCache.set(key, plan);
  return plan;
}

/** floor(position) of output n of a polyphase stage (the input index of its phase origin). */
export function stageOrigin(stage: PolyStage, n: number): number {
  return stage.exact ? Math.floor((n * stage.M) / stage.L) : Math.floor(n * stage.step);
}

/** Which block layout of FFT stages a caller runs. */
export type FftPath = 'kernel' | 'js';

/** Blocks of an FFT stage for outputs [first, end): first input sample i0 and block count (even). */
export function fftBlocks(
  stage: FftStage,
  path: FftPath,
  first: number,
  end: number,
): { i0: number; blocks: number } {
  const { U, D } = stage;
  const { S } = stage[path];
  const i0 = Math.floor((first * D) / U);
  const blocks = Math.floor(((end - 1) * D - U * i0) / (U * S)) + 1;
  return { i0, blocks: blocks + (blocks & 1) };
}

/** Input index range [first, end) that outputs [n0, n0 + count) of a stage read. */
export function stageInputRange(
  stage: ResampleStage,
  path: FftPath,
  n0: number,
  count: number,
): [number, number] {
  if (stage.kind === 'fft') {
    const { i0, blocks } = fftBlocks(stage, path, n0, n0 + count);
    const { S, P } = stage[path];
    return [i0 - P, i0 + blocks * S + P];
  }
  const { half, taps } = stage.kernel;
  return [stageOrigin(stage, n0) - half + 1, stageOrigin(stage, n0 + count - 1) - half + 1 + taps];
}

/**
 * The output ranges each stage must produce so that the last one yields [0, nOut): stage i's
 * output range is stage i+1's input range. `ranges[i]` = [first, end) of stage i's output;
 * `input` = the range of the signal the first stage reads.
 */
export function planRanges(
  plan: ResamplePlan,
  path: FftPath,
  nOut: number,
): { ranges: Array<[number, number]>; input: [number, number] } {
  const ranges: Array<[number, number]> = [];
  let need: [number, number] = [0, nOut];
  for (let i = plan.stages.length - 1; i >= 0; i--) {
    ranges[i] = need;
    need = stageInputRange(plan.stages[i], path, need[0], need[1] - need[0]);
  }
  return { ranges, input: need };
}
