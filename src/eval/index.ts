/**
 * Evaluation from predictions only: classification metrics (WA, UA, F1, confusion), calibration
 * (ECE, log loss, temperature scaling), cross-fold aggregation and per-group accuracy. Imports
 * nothing from the engine, models, training or data layers; browser-safe.
 */
export type { ClassScores, ClassificationMetrics, ClassificationOptions } from './classification.js';
export { classificationMetrics, confusionMatrix, metricsFromConfusion } from './classification.js';
export type { CalibrationBin, CoveragePoint } from './calibration.js';
export {
  DEFAULT_ECE_BINS,
  MAX_TEMPERATURE,
  MIN_TEMPERATURE,
  applyTemperature,
  calibrationBins,
  coverageAtConfidence,
  eceFromBins,
  expectedCalibrationError,
  fitTemperature,
  logLoss,
  temperatureNll,
} from './calibration.js';
export type { FoldAggregate, MeanStd } from './aggregate.js';
export { aggregateFolds, meanStd } from './aggregate.js';
export type { GroupAccuracy } from './groups.js';
export { groupAccuracy, naturalCompare } from './groups.js';
export { numpyMean, numpyStd, numpySum, numpyWeightedMean } from './sum.js';
export type { LabelScores, MultilabelMetrics } from './multilabel.js';
export { multilabelMetrics, thresholdScores } from './multilabel.js';
export type { RegressionMetrics } from './regression.js';
export { regressionMetrics, roundHalfEven } from './regression.js';
