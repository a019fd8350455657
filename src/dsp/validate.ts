import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';

/** Audio accepted by the feature functions: mono samples, nominally in [-1, 1]. */
export type AudioSamples = Float32Array | Float64Array;

/** Largest signal the feature functions accept (samples): about 6 hours at 48 kHz. */
export const MAX_SAMPLES = 2 ** 30;

/**
 * Checks that `y` is a non-empty mono signal of finite samples (librosa's `valid_audio`).
 * Throws EmovoxInputError with source `name` (the argument) and the calling function `fn` in
 * the problem otherwise.
 */
export function checkAudio(y: unknown, fn: string, name = 'y'): asserts y is AudioSamples {
  if (!(y instanceof Float32Array || y instanceof Float64Array)) {
    throw new EmovoxInputError(name, `audio must be a Float32Array or Float64Array of mono samples (${fn})`);
  }
  if (y.length === 0) throw new EmovoxInputError(name, `audio is empty (${fn})`);
  if (y.length > MAX_SAMPLES)
    throw new EmovoxInputError(name, `audio has ${y.length} samples, more than ${MAX_SAMPLES} (${fn})`);
  // x * 0 is 0 for every finite x and NaN for NaN and +-Infinity: a branch-free scan (four
  // sums, four samples per loop check), then the slow search only when something is wrong
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = y.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += y[i] * 0;
    s1 += y[i + 1] * 0;
    s2 += y[i + 2] * 0;
    s3 += y[i + 3] * 0;
  }
  for (; i < n; i++) s0 += y[i] * 0;
  if (s0 + s1 + s2 + s3 === 0) return;
  for (let j = 0; j < n; j++) {
    if (!Number.isFinite(y[j]))
      throw new EmovoxInputError(name, `audio sample ${j} is not finite (${y[j]}) (${fn})`);
  }
}

/** Checks a sample rate in Hz; throws EmovoxParameterError('sr', ...) naming the function `fn`. */
export function checkRate(sr: number, fn: string): void {
  if (!Number.isFinite(sr) || sr <= 0)
    throw new EmovoxParameterError('sr', `sample rate must be a positive number of Hz, got ${sr} (${fn})`);
}

/**
 * Checks that parameter `name` (nFft, hopLength...) is an integer >= `min`; throws
 * EmovoxParameterError(name, ...) naming the function `fn` otherwise.
 */
export function checkInt(value: number, name: string, fn: string, min = 1): void {
  if (!Number.isInteger(value) || value < min) {
    throw new EmovoxParameterError(name, `must be an integer >= ${min}, got ${value} (${fn})`);
  }
}

/** Checks that parameter `name` is a finite number (optionally strictly positive). */
export function checkNumber(value: number, name: string, fn: string, positive = false): void {
  if (!Number.isFinite(value) || (positive && value <= 0)) {
    throw new EmovoxParameterError(
      name,
      `must be a finite${positive ? ' positive' : ''} number, got ${value} (${fn})`,
    );
  }
}
