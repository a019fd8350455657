/**
 * Corpus items + a recipe's data section -> model-ready arrays: label encoding, derived audio
 * (segments, silence trimming, cached augmented copies), features through the extraction
 * pipeline and its cache, normalisation fitted on training rows, batches. Node-only.
 */
export * from './labels.js';
export * from './derived.js';
export * from './arrays.js';
export * from './normalize.js';
export * from './batch.js';
export * from './dataset.js';
