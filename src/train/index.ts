/**
 * Training: one loop with callbacks (early stopping, reduce-on-plateau, cosine and step
 * schedules, best-weight keeping), exact checkpoints, and the experiment runner behind
 * `emovox train / evaluate / tune`. Node-only; needs the libtorch engine. The report-writing
 * parts (writeRunReport, evaluateBundle) load the plotting stack and live behind the
 * `emovox/experiments` entry point (src/train/experiments.ts).
 */
export * from './callbacks.js';
export * from './loop.js';
export * from './checkpoint.js';
export { packDocument, unpackDocument } from './container.js';
export * from './schema.js';
export * from './recipe.js';
export * from './protocol.js';
export * from './licences.js';
export * from './setup.js';
export * from './experiment.js';
export * from './progress.js';
export * from './tune.js';
