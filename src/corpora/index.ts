export * from './types.js';
export * from './taxonomy.js';
export { CORPUS_AUDIO_EXTENSIONS, listCorpusFiles } from './files.js';
export * from './load.js';
export * from './splits.js';
export * from './balance.js';
export { loadManifestFile, type ManifestOptions } from './loaders/manifest.js';
export { MOSEI_EMOTIONS } from './loaders/mosei.js';
