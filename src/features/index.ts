export type { FeatureMatrix } from './matrix.js';
export { featureMatrix, frameRow, transpose } from './matrix.js';
