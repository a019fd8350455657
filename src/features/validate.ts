import { EmovoxInputError } from '../util/errors.js';

/** Audio accepted by the feature functions: mono samples, nominally in [-1, 1]. */
export type AudioSamples = Float32Array | Float64Array;

/** Largest signal the feature functions accept (samples): about 6 hours at 48 kHz. */
export const MAX_SAMPLES = 2 ** 30;

/**
 * Checks that `y` is a non-empty mono signal of finite samples (librosa's `valid_audio`).
 * Throws EmovoxInputError naming `source` otherwise.
 */
export function checkAudio(y: unknown, source: string): asserts y is AudioSamples {
  if (!(y instanceof Float32Array || y instanceof Float64Array)) {
    throw new EmovoxInputError(source, 'audio must be a Float32Array or Float64Array of mono samples');
  }
  if (y.length === 0) throw new EmovoxInputError(source, 'audio is empty');
  if (y.length > MAX_SAMPLES)
    throw new EmovoxInputError(source, `audio has ${y.length} samples, more than ${MAX_SAMPLES}`);
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]))
      throw new EmovoxInputError(source, `audio sample ${i} is not finite (${y[i]})`);
  }
}

/** Checks a sample rate in Hz. */
export function checkRate(sr: number, source: string): void {
  if (!Number.isFinite(sr) || sr <= 0)
    throw new EmovoxInputError(source, `sample rate must be a positive number of Hz, got ${sr}`);
}

/** Checks that `value` is an integer >= `min` (a parameter such as nFft or hopLength). */
export function checkInt(value: number, name: string, source: string, min = 1): void {
  if (!Number.isInteger(value) || value < min) {
    throw new EmovoxInputError(source, `${name} must be an integer >= ${min}, got ${value}`);
  }
}

/** Checks that `value` is a finite number (optionally strictly positive). */
export function checkNumber(value: number, name: string, source: string, positive = false): void {
  if (!Number.isFinite(value) || (positive && value <= 0)) {
    throw new EmovoxInputError(
      source,
      `${name} must be a finite${positive ? ' positive' : ''} number, got ${value}`,
    );
  }
}
