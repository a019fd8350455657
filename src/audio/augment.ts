import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import type { FeatureMatrix } from '../dsp/matrix.js';
import { pitchShift, speedPerturb, timeStretch } from './effects.js';
import { deriveSeed, mulberry32, type Random } from '../util/random.js';

function power(y: Float32Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i] * y[i];
  return y.length ? s / y.length : 0;
}

/** Adds `noise` (already y.length long) scaled so that 10 log10(P_y / P_noise) = snrDb exactly. */
function addAtSnr(
  op: string,
  y: Float32Array,
  noise: Float64Array | Float32Array,
  snrDb: number,
): Float32Array {
  if (!Number.isFinite(snrDb))
    throw new EmovoxParameterError('snrDb', `must be finite, got ${snrDb} (${op})`);
  const ps = power(y);
  let pn = 0;
  for (let i = 0; i < noise.length; i++) pn += noise[i] * noise[i];
  pn /= Math.max(1, noise.length);
  if (ps === 0) throw new EmovoxInputError('y', `signal is silent: an SNR is undefined (${op})`);
  if (pn === 0) throw new EmovoxInputError('noise', `noise is silent: cannot reach an SNR (${op})`);
  const scale = Math.sqrt(ps / (pn * 10 ** (snrDb / 10)));
  const out = new Float32Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = y[i] + scale * noise[i];
  return out;
}

/** Noise colours of {@link addNoise}. */
export type NoiseColor = 'white' | 'pink';

/**
 * Gaussian noise of `n` samples: white, or pink (1/f power) by Paul Kellet's refined filter
 * (within ±0.05 dB of 1/f above ~0.0002 x the sample rate).
 */
export function coloredNoise(n: number, color: NoiseColor, seed: number): Float64Array {
  const rng = mulberry32(seed);
  const out = new Float64Array(n);
  if (color === 'white') {
    for (let i = 0; i < n; i++) out[i] = rng.normal();
    return out;
  }
  let b0 = 0,
    b1 = 0,
    b2 = 0,
    b3 = 0,
    b4 = 0,
    b5 = 0,
    b6 = 0;
  // Let the slowest pole settle before the first output sample.
  for (let i = -4096; i < n; i++) {
    const w = rng.normal();
    b0 = 0.99886 * b0 + w * 0.0555179;
    b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.969 * b2 + w * 0.153852;
    b3 = 0.8665 * b3 + w * 0.3104856;
    b4 = 0.55 * b4 + w * 0.5329522;
    b5 = -0.7616 * b5 - w * 0.016898;
    const pink = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
    b6 = w * 0.115926;
    if (i >= 0) out[i] = pink;
  }
  return out;
}

/**
 * Adds white or pink Gaussian noise at a target SNR, 10 log10(mean(y^2) / mean(noise^2)) over the
 * whole signal (exact for the noise actually drawn, not just in expectation).
 *
 * @param y - mono signal (not silent).
 * @param snrDb - target SNR in dB.
 * @param options.color - 'white' (default) or 'pink'.
 * @param options.seed - PRNG seed (default 0).
 */
export function addNoise(
  y: Float32Array,
  snrDb: number,
  options: { color?: NoiseColor; seed?: number } = {},
): Float32Array {
  const color = options.color ?? 'white';
  if (color !== 'white' && color !== 'pink')
    throw new EmovoxParameterError('color', `unknown noise color '${String(color)}' (addNoise)`);
  return addAtSnr('addNoise', y, coloredNoise(y.length, color, options.seed ?? 0), snrDb);
}

/**
 * Mixes a recorded noise into `y` at a target SNR. The noise is read from a seeded random offset
 * and looped when shorter than `y`.
 *
 * @param y - mono signal (not silent).
 * @param noise - noise signal at the same sample rate (not silent).
 * @param snrDb - target SNR in dB (same definition as {@link addNoise}).
 * @param options.seed - chooses the offset into the noise (default 0).
 */
export function mixNoise(
  y: Float32Array,
  noise: Float32Array,
  snrDb: number,
  options: { seed?: number } = {},
): Float32Array {
  if (noise.length === 0) throw new EmovoxInputError('noise', 'noise is empty (mixNoise)');
  const offset = mulberry32(options.seed ?? 0).int(0, noise.length - 1);
  const segment = new Float32Array(y.length);
  for (let i = 0; i < y.length; i++) segment[i] = noise[(offset + i) % noise.length];
  return addAtSnr('mixNoise', y, segment, snrDb);
}

/** Multiplies by 10^(db / 20). */
export function applyGain(y: Float32Array, db: number): Float32Array {
  if (!Number.isFinite(db)) throw new EmovoxParameterError('db', `must be finite, got ${db} (applyGain)`);
  const g = 10 ** (db / 20);
  return Float32Array.from(y, (v) => v * g);
}

/**
 * Shifts by `samples` (positive = later), filling with zeros, or rotating when `wrap` is true.
 * The length is unchanged.
 */
export function timeShift(y: Float32Array, samples: number, wrap = false): Float32Array {
  const n = y.length;
  const s = Math.round(samples);
  const out = new Float32Array(n);
  if (n === 0) return out;
  if (wrap) {
    const k = ((s % n) + n) % n;
    out.set(y.subarray(n - k), 0);
    out.set(y.subarray(0, n - k), k);
  } else if (s >= 0) {
    if (s < n) out.set(y.subarray(0, n - s), s);
  } else if (-s < n) out.set(y.subarray(-s), 0);
  return out;
}

/** Options of {@link specAugment} (Park et al. 2019, without time warping). */
export interface SpecAugmentOptions {
  /** Number of frequency masks. Default 2. */
  freqMasks?: number;
  /** Maximum frequency-mask width F in bins (width ~ U{0..F}). Default 27. */
  freqWidth?: number;
  /** Number of time masks. Default 2. */
  timeMasks?: number;
  /** Maximum time-mask width T in frames. Default 100. */
  timeWidth?: number;
  /** Upper bound on each time-mask width as a fraction of the frames (p). Default 1. */
  maxTimeFraction?: number;
  /** Value written into masked cells: a number, or 'mean' (the matrix mean). Default 0. */
  maskValue?: number | 'mean';
  /** PRNG seed. Default 0. */
  seed?: number;
}

/**
 * SpecAugment-style frequency and time masking of a frames x bins {@link FeatureMatrix}
 * (e.g. a log-mel spectrogram). Returns a masked copy; the input is untouched.
 */
export function specAugment(matrix: FeatureMatrix, options: SpecAugmentOptions = {}): FeatureMatrix {
  const {
    freqMasks = 2,
    freqWidth = 27,
    timeMasks = 2,
    timeWidth = 100,
    maxTimeFraction = 1,
    maskValue = 0,
  } = options;
  const rng = mulberry32(options.seed ?? 0);
  const { frames, bins } = matrix;
  const data = Float32Array.from(matrix.data);
  let fill = 0;
  if (maskValue === 'mean') {
    let s = 0;
    for (const v of matrix.data) s += v;
    fill = data.length ? s / data.length : 0;
  } else fill = maskValue;
  for (let m = 0; m < freqMasks; m++) {
    const f = rng.int(0, Math.min(freqWidth, bins));
    const f0 = rng.int(0, bins - f);
    for (let t = 0; t < frames; t++) data.fill(fill, t * bins + f0, t * bins + f0 + f);
  }
  const tMax = Math.min(timeWidth, Math.floor(maxTimeFraction * frames));
  for (let m = 0; m < timeMasks; m++) {
    const w = rng.int(0, Math.max(0, tMax));
    const t0 = rng.int(0, frames - w);
    data.fill(fill, t0 * bins, (t0 + w) * bins);
  }
  return { data, frames, bins };
}

/** A parameter given as a fixed value or a [min, max] range drawn uniformly per item. */
export type ParamRange = number | readonly [number, number];

/** One step of an {@link augmentPipeline}: `op`, its probability `p` (default 1) and parameters. */
export type AugmentStep =
  | { op: 'noise'; p?: number; params: { snrDb: ParamRange; color?: NoiseColor } }
  | { op: 'mix'; p?: number; params: { noises: readonly Float32Array[]; snrDb: ParamRange } }
  | { op: 'gain'; p?: number; params: { db: ParamRange } }
  | { op: 'shift'; p?: number; params: { seconds: ParamRange; wrap?: boolean } }
  | { op: 'speed'; p?: number; params: { factor: ParamRange } }
  | { op: 'pitch'; p?: number; params: { semitones: ParamRange } }
  | { op: 'stretch'; p?: number; params: { rate: ParamRange } };

function draw(rng: Random, value: ParamRange): number {
  return typeof value === 'number' ? value : rng.uniform(value[0], value[1]);
}

/** An augmentation function: a pure function of (signal, sample rate, item index). */
export type Augmenter = (y: Float32Array, sr: number, index: number) => Float32Array;

/**
 * Composes augmentation steps applied in order, each with probability `p`. The random choices of
 * step k for item `index` come from their own stream seeded by (seed, index, k), so the output is a
 * pure function of (signal, seed, index): identical on every call and every worker, independent
 * of which earlier steps fired; use the epoch in `seed` (or in `index`) to vary across epochs.
 * `speed` and `stretch` change the length; the other ops keep it.
 *
 * @example
 * ```ts
 * import { augmentPipeline, loadAudio } from 'emovox';
 *
 * const aug = augmentPipeline(
 *   [
 *     { op: 'gain', p: 0.5, params: { db: [-6, 6] } },
 *     { op: 'noise', p: 0.5, params: { snrDb: [10, 30], color: 'pink' } },
 *     { op: 'pitch', p: 0.3, params: { semitones: [-2, 2] } },
 *   ],
 *   42,
 * );
 * const { samples } = await loadAudio('speech.wav', { sr: 16000 });
 * const augmented = aug(samples, 16000, 7); // item 7: the same draws on every run
 * console.log(augmented.length);
 * ```
 */
export function augmentPipeline(steps: readonly AugmentStep[], seed: number): Augmenter {
  steps.forEach((step, k) => {
    const p = step.p ?? 1;
    if (!(p >= 0 && p <= 1))
      throw new EmovoxParameterError(
        `steps[${k}].p`,
        `p must be in [0, 1], got ${p} (augmentPipeline, ${step.op})`,
      );
    if (step.op === 'mix' && step.params.noises.length === 0) {
      throw new EmovoxParameterError(`steps[${k}].params.noises`, `no noises given (augmentPipeline, mix)`);
    }
  });
  return (y, sr, index) => {
    let out = y;
    steps.forEach((step, k) => {
      const rng = mulberry32(deriveSeed(seed, index, k));
      if (rng.next() >= (step.p ?? 1)) return;
      const opSeed = rng.int(0, 0xffffffff);
      switch (step.op) {
        case 'noise':
          out = addNoise(out, draw(rng, step.params.snrDb), {
            color: step.params.color ?? 'white',
            seed: opSeed,
          });
          break;
        case 'mix': {
          const noise = step.params.noises[rng.int(0, step.params.noises.length - 1)];
          out = mixNoise(out, noise, draw(rng, step.params.snrDb), { seed: opSeed });
          break;
        }
        case 'gain':
          out = applyGain(out, draw(rng, step.params.db));
          break;
        case 'shift':
          out = timeShift(out, draw(rng, step.params.seconds) * sr, step.params.wrap ?? false);
          break;
        case 'speed':
          out = speedPerturb(out, sr, draw(rng, step.params.factor));
          break;
        case 'pitch':
          out = pitchShift(out, sr, draw(rng, step.params.semitones));
          break;
        case 'stretch':
          out = timeStretch(out, draw(rng, step.params.rate));
          break;
        default:
          throw new EmovoxParameterError(
            'steps',
            `unknown op '${(step as { op: string }).op}' (augmentPipeline)`,
          );
      }
    });
    return out === y ? y.slice() : out;
  };
}
