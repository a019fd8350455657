import type { FeatureMatrix } from '../dsp/matrix.js';

/** What one feature set returns for one file: a time-major matrix or a fixed-length vector. */
export interface FeatureValue {
  /** Frames x bins, row-major (matrix sets). */
  readonly matrix?: FeatureMatrix;
  /** One value per element (vector sets). */
  readonly vector?: Float32Array;
  /** Column (matrix) or element (vector) names, when the set has them. */
  readonly names?: readonly string[];
}
