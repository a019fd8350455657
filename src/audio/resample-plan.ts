// Filter design and stage planning of the resampler (pure arithmetic, shared by the JavaScript
// path in resample.ts and the WebAssembly kernel's driver in wasm/resample-kernel.ts).
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
 * One resampling stage: output n of `rateOut` sits at input position n * rateIn / rateOut and is
 * the dot product of input samples k0 - half + 1 .. k0 - half + taps (k0 = floor of that
 * position) with the table row of its phase (exact rational phases, or two rows interpolated).
 */
export interface ResampleStage {
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

function makeStage(
  rateIn: number,
  rateOut: number,
  passHz: number,
  stopHz: number,
  attenuationDb: number,
): ResampleStage {
  const shape = stageShape(rateIn, rateOut, tapsFor(passHz, stopHz, rateIn, attenuationDb));
  const kernel = shape.exact
    ? buildKernel(passHz, stopHz, rateIn, attenuationDb, shape.L, false)
    : buildKernel(passHz, stopHz, rateIn, attenuationDb, INTERP_PHASES, true);
  return { rateIn, rateOut, kernel, exact: shape.exact, L: shape.L, M: shape.M, step: rateIn / rateOut };
}

/** Multiply-adds per output of a stage (interpolated stages compute two rows). */
function stageCost(rateIn: number, rateOut: number, taps: number): number {
  return (stageShape(rateIn, rateOut, taps).exact ? 1 : 2) * taps + 8; // + loop overhead
}

const planCache = new Map<string, ResamplePlan>();

/**
 * The cheapest filter chain for srIn -> srOut at `quality`: one stage (the Kaiser sinc above),
 * or, when downsampling by a large ratio, a first stage that decimates by an integer D with a
 * relaxed filter (flat to the final stopband edge, rejecting only what would alias below it)
 * and then the sharp stage at srIn / D, which needs D times fewer taps. Both chains meet the
 * preset's passband and stopband.
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
  let bestCost = stageCost(srIn, srOut, tapsFor(pass, stop, srIn, A));
  let bestD = 1;
  for (let D = 2; srOut < srIn && srIn / D > 1.1 * srOut; D++) {
    const mid = srIn / D;
    const costA = stageCost(srIn, mid, tapsFor(stop, mid - stop, srIn, A)) * (mid / srOut);
    const costB = stageCost(mid, srOut, tapsFor(pass, stop, mid, A));
    if (costA + costB < bestCost) {
      bestCost = costA + costB;
      bestD = D;
    }
  }
  const stages =
    bestD === 1
      ? [makeStage(srIn, srOut, pass, stop, A)]
      : [
          makeStage(srIn, srIn / bestD, stop, srIn / bestD - stop, A),
          makeStage(srIn / bestD, srOut, pass, stop, A),
        ];
  const plan = { key, stages };
  if (planCache.size > 32) planCache.clear();
  planCache.set(key, plan);
  return plan;
}

/** floor(position) of output n of a stage (the input index of its phase origin). */
export function stageOrigin(stage: ResampleStage, n: number): number {
  return stage.exact ? Math.floor((n * stage.M) / stage.L) : Math.floor(n * stage.step);
}

/** Input index range [first, end) that outputs [n0, n0 + count) of a stage read. */
export function stageInputRange(stage: ResampleStage, n0: number, count: number): [number, number] {
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
  nOut: number,
): { ranges: Array<[number, number]>; input: [number, number] } {
  const ranges: Array<[number, number]> = [];
  let need: [number, number] = [0, nOut];
  for (let i = plan.stages.length - 1; i >= 0; i--) {
    ranges[i] = need;
    need = stageInputRange(plan.stages[i], need[0], need[1] - need[0]);
  }
  return { ranges, input: need };
}

