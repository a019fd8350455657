/**
 * Inference with onnxruntime: the ONNX session, the bundle-driven front end (features,
 * normalisation, calibration), `recognize()`, `timeline()`, the streaming recogniser and voice
 * activity detection (energy and Silero). Imports nothing from the libtorch engine or training.
 * The pure modules (frontend, scores, smoothing, vad, stream, timeline-core, stream-resampler,
 * pcm-stream) use no Node API, for the browser page.
 */
export * from './session.js';
export * from './frontend.js';
export * from './scores.js';
export * from './smoothing.js';
export * from './vad.js';
export * from './stream-resampler.js';
export * from './pcm-stream.js';
export * from './stream.js';
export * from './timeline-core.js';
export * from './bundled.js';
export * from './silero.js';
export * from './recognizer.js';
