/**
 * The `emovox/experiments` entry point: running recipes with their report files and evaluating
 * saved models on corpora. It loads the plotting stack (src/report), which the root entry point
 * does not.
 */
export * from './index.js';
export * from './run-report.js';
export * from './evaluate.js';
