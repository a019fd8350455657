/**
 * Renders evaluation results: scikit-learn-style text reports, metrics.json, plots (Vega-Lite ->
 * SVG -> PNG) and a self-contained HTML report. Imports only `eval/` and the plotting libraries.
 */
export type { ReportTextOptions } from './text.js';
export { classificationReportText, confusionText } from './text.js';
export { formatFixed } from './format.js';
