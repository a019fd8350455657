// The signal core (matrix type, units, STFT, windows, dB) lives in src/dsp; these re-exports keep
// the features entry self-sufficient and its public API unchanged.
export type { FeatureMatrix } from '../dsp/matrix.js';
export { featureMatrix, frameRow, isNonEmptyFeatureMatrix, transpose } from '../dsp/matrix.js';
export * from '../dsp/convert.js';
export {
  stft,
  spectrogram,
  magnitude,
  type StftOptions,
  type SpectrogramOptions,
  type ComplexSpectrogram,
} from '../dsp/stft.js';
export { fftWindow, type WindowSpec } from '../dsp/window.js';
export { frameCount, type PadMode } from '../dsp/frame.js';
export * from '../dsp/db.js';
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
export * from './kaldi-fbank.js';
export type { FeatureValue } from './value.js';
export * from './delta.js';
export * from './spectral.js';
export * from './framewise.js';
export * from './pitch.js';
export * from './sequence.js';
export * from './tonnetz.js';
export * from './functionals.js';
export * from './vector180.js';
export * from './prosodic.js';
export * from './image.js';
