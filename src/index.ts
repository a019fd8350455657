export * from './util/index.js';
export * from './audio/index.js';
export * from './features/index.js';
export * from './corpora/index.js';
export * from './models/index.js';
export * from './train/index.js';
export * from './eval/index.js';
export * from './infer/index.js';
