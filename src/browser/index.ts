// The browser entry (`emovox/browser`): the signal core, the feature functions, the pure
// inference front end and stream logic, and onnxruntime-web sessions. Nothing reachable from
// here imports a Node module (test/package/browser-entry.test.ts bundles it for the browser and
// runs it in Chromium); WebAssembly (PFFFT, onnxruntime-web) is loaded from URLs or bytes.
export { EmovoxError, EmovoxInputError, EmovoxParameterError, errorMessage } from '../util/errors.js';
export { deriveSeed, mulberry32, shuffled, type Random } from '../util/random.js';
export * from '../dsp/index.js';
export * from '../features/index.js';
export { resample, type ResampleOptions, type ResampleQuality } from '../audio/resample.js';
export {
  frameRms,
  nonSilentFrames,
  split,
  trim,
  type SilenceOptions,
  type TrimReference,
} from '../audio/trim.js';
export { detectVoice, type VoiceActivityOptions, type VoiceSegment } from '../audio/vad.js';
export { synthesizeSpeechLike, type SpeechLikeOptions } from '../audio/synthetic.js';
export * from '../infer/feeds.js';
export * from '../infer/frontend.js';
export * from '../infer/scores.js';
export * from '../infer/model-spec.js';
export * from '../infer/smoothing.js';
export * from '../infer/vad.js';
export * from '../infer/stream-resampler.js';
export * from '../infer/pcm-stream.js';
export * from '../infer/stream.js';
export * from '../infer/timeline-core.js';
export * from '../infer/session-web.js';
export * from './decode.js';
export * from './recognize.js';
