/**
 * Renders evaluation results: scikit-learn-style text reports, metrics.json, plots (Vega-Lite
 * specs compiled by vega-lite, rendered to SVG by vega, rasterised to PNG by resvg) and a
 * self-contained HTML report. Imports only `eval/`, `util/` and the plotting libraries; Node-only
 * (resvg is a native module, files are written with node:fs).
 */
export type { ReportTextOptions } from './text.js';
export { classificationReportText, confusionText } from './text.js';
export { formatFixed } from './format.js';
export type {
  ConfusionOptions,
  CurvesOptions,
  EpochRecord,
  ReliabilityOptions,
  VegaLiteSpec,
} from './specs.js';
export { OKABE_ITO, PLOT_FONT, confusionSpec, curvesSpec, reliabilitySpec } from './specs.js';
export type { PngOptions } from './render.js';
export {
  confusionPng,
  confusionSvg,
  curvesPng,
  curvesSvg,
  plotFontFiles,
  reliabilityPng,
  reliabilitySvg,
  svgToPng,
  vegaLiteToSvg,
} from './render.js';
export type { FoldResult, GroupRow, ReportInput, TableRow } from './input.js';
export type { MetricsJson } from './json.js';
export { METRICS_SCHEMA, metricsJson, metricsJsonText, parseMetricsJson } from './json.js';
export { escapeHtml, reportHtml } from './html.js';
export type { ReportFiles } from './files.js';
export { reportText, writeReportFiles } from './files.js';
