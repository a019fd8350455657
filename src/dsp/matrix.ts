import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';

/**
 * A 2-D feature array in emovox's one layout: **frames x bins**, row-major (time-major).
 * `data[t * bins + k]` is bin `k` of frame `t`. librosa returns (bins, frames); use
 * {@link transpose} to compare with it. Time-major is what sequence models consume directly.
 */
export interface FeatureMatrix {
  /** Row-major values, length `frames * bins`. */
  readonly data: Float32Array;
  /** Number of frames (rows). */
  readonly frames: number;
  /** Number of bins / coefficients per frame (columns). */
  readonly bins: number;
}

/**
 * True when `m` is a well-formed, non-empty FeatureMatrix (Float32Array data of frames x bins).
 * Callers throw their own error so that it names their function.
 */
export function isNonEmptyFeatureMatrix(m: FeatureMatrix | null | undefined): m is FeatureMatrix {
  return (
    !!m &&
    m.data instanceof Float32Array &&
    m.data.length === m.frames * m.bins &&
    m.frames >= 1 &&
    m.bins >= 1
  );
}

/** Wraps `data` as a frames x bins matrix, checking the length. */
export function featureMatrix(data: Float32Array, frames: number, bins: number): FeatureMatrix {
  if (data.length !== frames * bins) {
    throw new EmovoxParameterError(
      'data',
      `has ${data.length} values, expected ${frames} x ${bins} (featureMatrix)`,
    );
  }
  return { data, frames, bins };
}

/** Row `t` (one frame) as a view, not a copy. */
export function frameRow(matrix: FeatureMatrix, t: number): Float32Array {
  return matrix.data.subarray(t * matrix.bins, (t + 1) * matrix.bins);
}

/** The bins x frames copy of `matrix` (librosa's layout), as a flat row-major array. */
export function transpose(matrix: FeatureMatrix): Float32Array {
  const { data, frames, bins } = matrix;
  const out = new Float32Array(data.length);
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < bins; k++) out[k * frames + t] = data[t * bins + k];
  }
  return out;
}

/** A float64 frames x bins matrix used between internal stages (never handed to users). */
export interface Matrix64 {
  data: Float64Array;
  frames: number;
  bins: number;
}

/**
 * Float64 copy of a user-supplied FeatureMatrix, validated: non-empty, every value finite and,
 * when `nonNegative`, >= 0. Throws EmovoxInputError naming the argument `name` (and the calling
 * function `source` in the problem) otherwise.
 */
export function matrixToF64(m: FeatureMatrix, source: string, nonNegative: boolean, name = 'S'): Matrix64 {
  if (!isNonEmptyFeatureMatrix(m)) {
    throw new EmovoxInputError(name, `spectrogram must be a non-empty FeatureMatrix (${source})`);
  }
  const data = new Float64Array(m.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = m.data[i];
    if (!Number.isFinite(v) || (nonNegative && v < 0)) {
      throw new EmovoxInputError(
        name,
        `spectrogram value ${i} is ${v}, must be finite${nonNegative ? ' and >= 0' : ''} (${source})`,
      );
    }
    data[i] = v;
  }
  return { data, frames: m.frames, bins: m.bins };
}
