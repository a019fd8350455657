export type { FeatureMatrix } from './matrix.js';
export { featureMatrix, frameRow, isNonEmptyFeatureMatrix, transpose } from './matrix.js';
export * from './convert.js';
export {
  stft,
  spectrogram,
  magnitude,
  fftWindow,
  frameCount,
  type StftOptions,
  type SpectrogramOptions,
  type ComplexSpectrogram,
  type WindowSpec,
  type PadMode,
} from './spectrum.js';
export * from './db.js';
export {
  melFilterbank,
  chromaFilterbank,
  type Filterbank,
  type MelFilterOptions,
  type MelNorm,
  type ChromaFilterOptions,
} from './filters.js';
export { melSpectrogram, mfcc, type MelSpectrogramOptions, type MfccOptions } from './mel.js';
export {
  chromaStft,
  estimateTuning,
  pitchTuning,
  piptrack,
  type ChromaStftOptions,
  type EstimateTuningOptions,
  type PiptrackOptions,
} from './chroma.js';
export * from './sets.js';
export type { FeatureValue } from './value.js';
export * from './delta.js';
export * from './spectral.js';
export * from './framewise.js';
export * from './pitch.js';
export * from './functionals.js';
export * from './vector180.js';
export * from './prosodic.js';
export * from './image.js';
