// User-supplied ONNX encoders as feature extractors (Node only): self-supervised speech encoders
// and speaker-embedding models, and the feature sets built on them.
export * from './layout.js';
export { openModel, fileSha256, type OpenModel } from './ort.js';
export * from './speech.js';
export * from './speaker.js';
export { preprocessorNormalize } from './sets.js';
