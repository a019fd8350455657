import {
  aggregateFolds,
  type ClassificationMetrics,
  type FoldAggregate,
  type GroupAccuracy,
  type MeanStd,
} from '../eval/index.js';
import { EmovoxParameterError } from '../util/errors.js';
import type { EpochRecord } from './specs.js';

/** One evaluated fold (or the single test split). */
export interface FoldResult {
  /** Fold name, unique within a run ("fold1", "speaker 03", "test"). */
  name: string;
  metrics: ClassificationMetrics;
  /** Training history of the fold, for the curves. */
  history?: readonly EpochRecord[];
}

/** A table row of free-form values (data summaries). */
export type TableRow = Record<string, string | number | boolean | null | undefined>;

/** A per-group row; `fold` says which fold's test set it comes from, when it matters. */
export type GroupRow = GroupAccuracy & { fold?: string };

/** Everything a run report shows. Only `title` and `folds` are required. */
export interface ReportInput {
  title: string;
  /** The resolved recipe, shown as JSON. */
  recipe?: unknown;
  /** Data summary: rows of a table (one per corpus, say) or one key-value record. */
  dataSummary?: readonly TableRow[] | TableRow;
  folds: readonly FoldResult[];
  /** Cross-fold summary; computed from `folds` when absent. */
  aggregate?: FoldAggregate;
  /** Accuracy per test speaker (from `groupAccuracy`). */
  perSpeaker?: readonly GroupRow[];
  /** Accuracy per corpus. */
  perCorpus?: readonly GroupRow[];
  /** Fitted softmax temperature (temperature scaling), when the run calibrated its model. */
  temperature?: number;
  /** Free-text remarks (warnings such as a speaker leak in a random split). */
  notes?: readonly string[];
}

/** Checks the parts every renderer needs: a title and uniquely named folds with metrics. */
export function checkReportInput(input: ReportInput): void {
  if (!input || typeof input.title !== 'string') throw new EmovoxParameterError('title', 'must be a string');
  if (!Array.isArray(input.folds) || input.folds.length === 0) {
    throw new EmovoxParameterError('folds', 'must hold at least one fold with metrics');
  }
  const names = new Set<string>();
  input.folds.forEach((fold, i) => {
    if (!fold || typeof fold.name !== 'string' || fold.name.length === 0) {
      throw new EmovoxParameterError('folds', `fold ${i} needs a non-empty name`);
    }
    if (names.has(fold.name))
      throw new EmovoxParameterError('folds', `fold name "${fold.name}" appears twice`);
    names.add(fold.name);
    if (!fold.metrics || !Array.isArray(fold.metrics.confusion)) {
      throw new EmovoxParameterError('folds', `fold "${fold.name}" has no metrics`);
    }
  });
}

/** The aggregate of the input, computed from its folds when not given. */
export function aggregateOf(input: ReportInput): FoldAggregate {
  return input.aggregate ?? aggregateFolds(input.folds.map((f) => f.metrics));
}

/** "65.7 ± 2.1" (percent, one decimal) of a mean and std in [0, 1]. */
export function percentMeanStd(m: MeanStd): string {
  return `${(100 * m.mean).toFixed(1)} ± ${(100 * m.std).toFixed(1)}`;
}

/** "65.7" (percent, one decimal) of a value in [0, 1]. */
export function percent(x: number): string {
  return (100 * x).toFixed(1);
}

/** All folds' history records, in fold order. */
export function allHistory(input: ReportInput): EpochRecord[] {
  return input.folds.flatMap((f) => (f.history ?? []).map((r) => ({ ...r, fold: r.fold || f.name })));
}
