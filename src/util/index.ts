export { EmovoxError, EmovoxInputError, EmovoxParameterError, errorMessage } from './errors.js';
export type { AtomicData, AtomicFile } from './atomic-file.js';
export {
  fileKind,
  removePendingTemporaryFiles,
  writeFileAtomic,
  writeFileAtomicSync,
  writeFilesAtomic,
  writeFilesAtomicSync,
} from './atomic-file.js';
export type { OutputPathCheck } from './output-paths.js';
export { checkOutputPaths } from './output-paths.js';
export type { Random } from './random.js';
export { deriveSeed, mulberry32, shuffled } from './random.js';
export { canonicalJson } from './canonical-json.js';
