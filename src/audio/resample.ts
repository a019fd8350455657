import { EmovoxInputError } from '../util/errors.js';

/**
 * Resampler quality presets. Band edges are fractions of the lower of the two Nyquist
 * frequencies; the anti-aliasing / anti-imaging filter is a Kaiser-windowed sinc designed for
 * the stated stopband attenuation (Kaiser's formulas).
 *
 * | quality  | passband edge | stopband edge | attenuation | taps per output (at the low rate) |
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

const SPECS: Record<ResampleQuality, FilterSpec> = {
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

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Largest polyphase table (coefficients) built exactly; beyond it phases are interpolated. */
const MAX_EXACT_TABLE = 1 << 21;
/** Phase resolution of the interpolated table (linear interpolation error ~ -106 dB). */
const INTERP_PHASES = 2048;

interface Kernel {
  /** Taps per phase (2 * half). */
  taps: number;
  half: number;
  phases: number;
  /** phases (+1 when interpolated) rows of `taps` coefficients, row q = h(q / phases - j) for j = -half+1..half. */
  table: Float32Array;
}

const kernelCache = new Map<string, Kernel>();

function buildKernel(ratio: number, spec: FilterSpec, phases: number, interpolated: boolean): Kernel {
  const low = Math.min(1, ratio); // lower Nyquist relative to the input Nyquist
  const transition = (spec.stopband - spec.passband) * low * Math.PI; // rad per input sample
  const order = Math.ceil((spec.attenuationDb - 8) / (2.285 * transition));
  const half = Math.max(2, Math.ceil(order / 2));
  const fc = ((spec.passband + spec.stopband) / 2) * low * 0.5; // cycles per input sample
  const beta = kaiserBeta(spec.attenuationDb);
  const i0Beta = besselI0(beta);
  const taps = 2 * half;
  const rows = phases + (interpolated ? 1 : 0);
  const table = new Float32Array(rows * taps);
  for (let q = 0; q < rows; q++) {
    const frac = q / phases;
    for (let t = 0; t < taps; t++) {
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

function kernelFor(ratio: number, quality: ResampleQuality, phases: number, interpolated: boolean): Kernel {
  const key = `${ratio}|${quality}|${phases}|${interpolated}`;
  let kernel = kernelCache.get(key);
  if (!kernel) {
    kernel = buildKernel(ratio, SPECS[quality], phases, interpolated);
    if (kernelCache.size > 32) kernelCache.clear();
    kernelCache.set(key, kernel);
  }
  return kernel;
}

/**
 * Band-limited resampling by a Kaiser-windowed sinc, polyphase for rational ratios (the filter
 * is zero-phase: no delay, the signal is zero beyond its ends).
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
  if (!SPECS[quality]) throw new EmovoxInputError('resample', `unknown quality '${quality}'`);
  for (const [what, rate] of [
    ['srIn', srIn],
    ['srOut', srOut],
  ] as const) {
    if (!Number.isFinite(rate) || rate <= 0)
      throw new EmovoxInputError('resample', `${what}=${rate} Hz is not a valid rate`);
  }
  if (srIn === srOut) return y.slice();
  const integral = Number.isInteger(srIn) && Number.isInteger(srOut);
  const g = integral ? gcd(srIn, srOut) : 1;
  const L = integral ? srOut / g : 0; // output step count per M input samples
  const M = integral ? srIn / g : 0;
  const nOut = integral ? Math.ceil((y.length * L) / M) : Math.ceil((y.length * srOut) / srIn);
  const ratio = srOut / srIn;
  const probe = kernelFor(ratio, quality, 1, true);
  const exact = integral && L * probe.taps <= MAX_EXACT_TABLE;
  const kernel = exact ? kernelFor(ratio, quality, L, false) : kernelFor(ratio, quality, INTERP_PHASES, true);
  const { taps, half, table } = kernel;
  // Zero-pad so the inner loop needs no bounds checks.
  const padded = new Float32Array(y.length + 2 * taps);
  padded.set(y, taps);
  const out = new Float32Array(nOut);
  const base = taps - half + 1; // padded index of input sample k0 + j for j = -half + 1, minus k0
  if (exact) {
    for (let n = 0; n < nOut; n++) {
      const num = n * M;
      const k0 = Math.floor(num / L);
      const row = (num - k0 * L) * taps;
      const start = k0 + base;
      // taps is even: two accumulators halve the dependency chain.
      let a0 = 0;
      let a1 = 0;
      for (let t = 0; t < taps; t += 2) {
        a0 += padded[start + t] * table[row + t];
        a1 += padded[start + t + 1] * table[row + t + 1];
      }
      out[n] = a0 + a1;
    }
  } else {
    const step = srIn / srOut;
    const P = INTERP_PHASES;
    for (let n = 0; n < nOut; n++) {
      const pos = integral ? (n * M) / L : n * step;
      const k0 = Math.floor(pos);
      const phase = (pos - k0) * P;
      const q = Math.floor(phase);
      const a = phase - q;
      const row0 = q * taps;
      const row1 = row0 + taps;
      const start = k0 + base;
      let acc0 = 0;
      let acc1 = 0;
      for (let t = 0; t < taps; t++) {
        const x = padded[start + t];
        acc0 += x * table[row0 + t];
        acc1 += x * table[row1 + t];
      }
      out[n] = acc0 + a * (acc1 - acc0);
    }
  }
  return out;
}
