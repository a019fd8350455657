// The Node entry: everything. PFFFT's wasm is read from the installed package on first use.
import './dsp/pffft-node.js';

export * from './util/index.js';
export * from './dsp/index.js';
export * from './audio/index.js';
export * from './features/index.js';
export * from './extract/index.js';
export * from './encoders/index.js';
export * from './corpora/index.js';
export * from './models/index.js';
export * from './data/index.js';
export * from './train/index.js';
export * from './eval/index.js';
export * from './infer/index.js';
export * from './engine/index.js';
export * from './text/index.js';
export * from './classical/index.js';
export * from './data/multitask.js';
export * from './train/multitask.js';
