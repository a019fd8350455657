// Node-only extraction pipeline: feature cache, NPY files, folder walking, batch extraction on
// worker threads, output files. The pure feature maths and the set registry are in features/.
export * from './npy.js';
export * from './cache.js';
export * from './spec-hash.js';
export * from './extract.js';
export { ExtractionPool } from './extraction-pool.js';
export * from './extract-files.js';
export * from './extract-output.js';
export { WorkerPool, workerScript, type WorkerPoolOptions, type WorkerScript } from './worker-pool.js';
export { toPng, type ToPngOptions } from './png.js';
