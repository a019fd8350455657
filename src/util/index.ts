export { EmovoxError, EmovoxInputError, EmovoxParameterError, errorMessage } from './errors.js';
export { writeFileAtomic, writeFileAtomicSync } from './atomic-file.js';
export type { Random } from './random.js';
export { deriveSeed, mulberry32, shuffled } from './random.js';
export { canonicalJson } from './canonical-json.js';
