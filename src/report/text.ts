import type { ClassificationMetrics } from '../eval/index.js';
import { formatFixed, padEnd, padStart } from './format.js';

/** Options of {@link classificationReportText}. */
export interface ReportTextOptions {
  /** Decimal places of precision, recall, F1 and accuracy. Default 2 (scikit-learn's default). */
  digits?: number;
  /** Append the confusion matrix table. Default true. */
  confusion?: boolean;
}

/**
 * The text of `sklearn.metrics.classification_report(y_true, y_pred, target_names=...,
 * digits=digits, zero_division=0)`, byte for byte (scikit-learn 1.2, checked by a golden test):
 * one row per class that occurs in the truth or the predictions, then accuracy, macro avg and
 * weighted avg. Below it (unless `confusion: false`) a blank line and the confusion matrix with
 * true classes as rows and predicted classes as columns, every class of `m.labels`.
 */
export function classificationReportText(m: ClassificationMetrics, options: ReportTextOptions = {}): string {
  const digits = options.digits ?? 2;
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) {
    throw new RangeError(`digits must be an integer in [0, 20], got ${digits}`);
  }
  const active = m.perClass.filter((c) => c.support > 0 || c.predicted > 0);
  const headers = ['precision', 'recall', 'f1-score', 'support'];
  const width = Math.max(...active.map((c) => [...c.label].length), 'weighted avg'.length, digits);
  const num = (x: number): string => ' ' + padStart(formatFixed(x, digits), 9);
  const row = (name: string, p: number, r: number, f: number, s: number): string =>
    padStart(name, width) + ' ' + num(p) + num(r) + num(f) + ' ' + padStart(String(s), 9) + '\n';

  let out = padStart('', width) + ' ' + headers.map((h) => ' ' + padStart(h, 9)).join('') + '\n\n';
  for (const c of active) out += row(c.label, c.precision, c.recall, c.f1, c.support);
  out += '\n';
  // scikit-learn prints the micro-averaged F1 here, 2 P R / (P + R) with P = R = accuracy, which
  // can differ from the accuracy in the last bit and then round differently.
  const micro = m.wa === 0 ? 0 : (2 * m.wa * m.wa) / (m.wa + m.wa);
  out += padStart('accuracy', width) + ' '.repeat(21) + num(micro) + ' ' + padStart(String(m.n), 9) + '\n';
  out += row('macro avg', m.macroPrecision, m.macroRecall, m.macroF1, m.n);
  out += row('weighted avg', m.weightedPrecision, m.weightedRecall, m.weightedF1, m.n);
  if (options.confusion === false) return out;
  return out + '\n' + confusionText(m);
}

/**
 * The confusion matrix as a text table: a header line, then one row per true class with the
 * count predicted as each class, columns right-aligned to the widest label or count.
 */
export function confusionText(m: Pick<ClassificationMetrics, 'labels' | 'confusion'>): string {
  const rowWidth = Math.max('true \\ predicted'.length, ...m.labels.map((l) => [...l].length));
  const colWidth = Math.max(
    ...m.labels.map((l) => [...l].length),
    ...m.confusion.flat().map((c) => String(c).length),
  );
  let out = 'confusion matrix (rows: true class, columns: predicted class)\n';
  out +=
    padEnd('true \\ predicted', rowWidth) + m.labels.map((l) => '  ' + padStart(l, colWidth)).join('') + '\n';
  m.labels.forEach((label, t) => {
    out +=
      padEnd(label, rowWidth) +
      m.confusion[t].map((c) => '  ' + padStart(String(c), colWidth)).join('') +
      '\n';
  });
  return out;
}
