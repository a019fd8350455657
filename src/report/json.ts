import type { ClassificationMetrics, FoldAggregate } from '../eval/index.js';
import { EmovoxInputError } from '../util/errors.js';
import { aggregateOf, checkReportInput, type GroupRow, type ReportInput } from './input.js';

/** Schema identifier written into every metrics.json. */
export const METRICS_SCHEMA = 'emovox.metrics/1';

/**
 * The metrics.json document (schema `emovox.metrics/1`, documented in docs/evaluation.md).
 * Every value is plain JSON: numbers are finite, rates are fractions in [0, 1].
 */
export interface MetricsJson {
  schema: typeof METRICS_SCHEMA;
  title: string;
  /** Class names, index order of every confusion matrix. */
  labels: string[];
  folds: Array<{ name: string; metrics: ClassificationMetrics }>;
  /** Mean and population std over folds of ua, wa, macroF1, weightedF1 (+ ece, logLoss), and pooled metrics. */
  aggregate: FoldAggregate;
  perSpeaker?: GroupRow[];
  perCorpus?: GroupRow[];
  temperature?: number;
  notes?: string[];
}

/**
 * Builds the metrics.json document of a run from its folds (the aggregate is computed when not
 * given). History, recipe and data summary belong to other files and are not included.
 */
export function metricsJson(input: ReportInput): MetricsJson {
  checkReportInput(input);
  const doc: MetricsJson = {
    schema: METRICS_SCHEMA,
    title: input.title,
    labels: [...input.folds[0].metrics.labels],
    folds: input.folds.map((f) => ({ name: f.name, metrics: f.metrics })),
    aggregate: aggregateOf(input),
  };
  if (input.perSpeaker) doc.perSpeaker = [...input.perSpeaker];
  if (input.perCorpus) doc.perCorpus = [...input.perCorpus];
  if (input.temperature !== undefined) doc.temperature = input.temperature;
  if (input.notes) doc.notes = [...input.notes];
  return doc;
}

/** metrics.json text: {@link metricsJson} pretty-printed with two-space indent and a final newline. */
export function metricsJsonText(input: ReportInput): string {
  return JSON.stringify(metricsJson(input), null, 2) + '\n';
}

/**
 * Reads a metrics.json document and checks its schema and the fields every consumer relies on.
 *
 * @param source file path or name used in error messages
 * @throws EmovoxInputError(source, problem) for invalid JSON or a document of another schema
 */
export function parseMetricsJson(text: string, source = 'metrics.json'): MetricsJson {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new EmovoxInputError(source, `is not valid JSON (${(error as Error).message})`);
  }
  const d = doc as Partial<MetricsJson>;
  if (!d || typeof d !== 'object' || d.schema !== METRICS_SCHEMA) {
    throw new EmovoxInputError(
      source,
      `is not an ${METRICS_SCHEMA} document (schema: ${JSON.stringify(d?.schema)})`,
    );
  }
  if (!Array.isArray(d.labels) || !Array.isArray(d.folds) || !d.aggregate) {
    throw new EmovoxInputError(source, 'lacks labels, folds or aggregate');
  }
  for (const key of ['ua', 'wa', 'macroF1', 'weightedF1'] as const) {
    const v = d.aggregate[key];
    if (!v || typeof v.mean !== 'number' || typeof v.std !== 'number') {
      throw new EmovoxInputError(source, `aggregate.${key} must be { mean, std }`);
    }
  }
  return d as MetricsJson;
}
