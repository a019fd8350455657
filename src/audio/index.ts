export type { AudioSource } from './bytes.js';
export type { AudioFormat, AudioInfo, AudioReadOptions, LoadAudioOptions, LoadedAudio } from './load.js';
export { loadAudio, readAudioInfo, toMono } from './load.js';
export type { ResampleOptions, ResampleQuality } from './resample.js';
export { resample } from './resample.js';
export type { SaveAudioOptions, WavBitDepth } from './save.js';
export { encodeWav, saveAudio } from './save.js';
export type { SilenceOptions, TrimReference } from './trim.js';
export { frameRms, nonSilentFrames, split, trim } from './trim.js';
export type { VoiceActivityOptions, VoiceSegment } from './vad.js';
export { detectVoice } from './vad.js';
export type { PhaseVocoderOptions, PitchShiftOptions } from './effects.js';
export { fixLength, pitchShift, speedPerturb, timeStretch } from './effects.js';
export type { AugmentStep, Augmenter, NoiseColor, ParamRange, SpecAugmentOptions } from './augment.js';
export {
  addNoise,
  applyGain,
  augmentPipeline,
  coloredNoise,
  mixNoise,
  specAugment,
  timeShift,
} from './augment.js';
export type { SpeechLikeOptions } from './synthetic.js';
export { synthesizeSpeechLike } from './synthetic.js';
export type { FlacEncodeOptions } from './flac-encode.js';
export { encodeFlac, saveFlac } from './flac-encode.js';
