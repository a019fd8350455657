// The signal-processing core below audio/ and features/: it imports nothing but src/util.
export type { FeatureMatrix } from './matrix.js';
export { featureMatrix, frameRow, isNonEmptyFeatureMatrix, transpose } from './matrix.js';
export { checkAudio, checkInt, checkNumber, checkRate, MAX_SAMPLES, type AudioSamples } from './validate.js';
export * from './convert.js';
export * from './db.js';
export { cosineWindow, fftWindow, type WindowSpec } from './window.js';
export { frameCount, frameRms64, paddedSample, readFrame, type PadMode } from './frame.js';
export { ComplexFft, RealFft, realFft } from './fft.js';
export {
  initPffft,
  loadPffft,
  Pffft,
  pffftAvailable,
  pffftPlan,
  setPffftLoader,
  type PffftLoader,
  type PffftWasm,
} from './pffft.js';
export {
  istft,
  magnitude,
  MAX_FFT,
  resolveStft,
  spectrogram,
  stft,
  stft64,
  type ComplexSpectrogram,
  type ComplexSpectrogram64,
  type IstftOptions,
  type SpectrogramOptions,
  type StftOptions,
  type StftParams,
} from './stft.js';
export { phaseVocoder } from './phase-vocoder.js';
export { dct, dctBasis } from './dct.js';
