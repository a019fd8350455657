export { EmovoxInputError, errorMessage } from './errors.js';
export type { Random } from './random.js';
export { deriveSeed, mulberry32, shuffled } from './random.js';
