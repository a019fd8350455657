import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import { reportHtml } from './html.js';
import {
  aggregateOf,
  allHistory,
  checkReportInput,
  percent,
  percentMeanStd,
  type ReportInput,
} from './input.js';
import { metricsJsonText } from './json.js';
import { confusionPng, curvesPng, reliabilityPng } from './render.js';
import { classificationReportText } from './text.js';

/**
 * report.txt: the cross-fold summary (mean ± population std, pooled), then the pooled
 * scikit-learn-style classification report with its confusion matrix, then each fold's.
 */
export function reportText(input: ReportInput, options: { digits?: number } = {}): string {
  checkReportInput(input);
  const digits = options.digits ?? 3;
  const agg = aggregateOf(input);
  let out = `${input.title}\n\n`;
  out += `folds: ${agg.folds}, test examples: ${agg.pooled.n}, classes: ${agg.pooled.labels.join(', ')}\n`;
  out += 'metric         mean ± std over folds (%)   pooled (%)\n';
  const line = (name: string, m: { mean: number; std: number }, pooled: number): string =>
    `${name.padEnd(15)}${percentMeanStd(m).padEnd(28)}${percent(pooled)}\n`;
  out += line('UA', agg.ua, agg.pooled.ua);
  out += line('WA', agg.wa, agg.pooled.wa);
  out += line('macro F1', agg.macroF1, agg.pooled.macroF1);
  out += line('weighted F1', agg.weightedF1, agg.pooled.weightedF1);
  if (agg.ece && agg.pooled.ece !== undefined) out += line('ECE (15 bins)', agg.ece, agg.pooled.ece);
  if (input.temperature !== undefined) out += `temperature    ${input.temperature.toFixed(4)}\n`;
  out += '(std: population standard deviation over folds; UA: mean per-class recall)\n';
  for (const note of input.notes ?? []) out += `note: ${note}\n`;
  if (input.folds.length > 1) {
    out += `\n== all folds pooled ==\n\n${classificationReportText(agg.pooled, { digits })}`;
  }
  for (const fold of input.folds) {
    out += `\n== ${fold.name} ==\n\n${classificationReportText(fold.metrics, { digits })}`;
  }
  return out;
}

/** Paths written by {@link writeReportFiles}, absent when not produced. */
export interface ReportFiles {
  metricsJson: string;
  reportTxt: string;
  reportHtml: string;
  confusionPng: string;
  curvesPng?: string;
  reliabilityPng?: string;
}

/**
 * Writes a run's report files into `dir` (created if missing), each atomically (a killed run never
 * leaves a half-written file): metrics.json, report.txt, confusion.png (pooled), curves.png (when
 * any fold has history), reliability.png (when probabilities were scored) and report.html.
 */
export async function writeReportFiles(
  dir: string,
  input: ReportInput,
  options: { digits?: number } = {},
): Promise<ReportFiles> {
  checkReportInput(input);
  await mkdir(dir, { recursive: true });
  const agg = aggregateOf(input);
  const full: ReportInput = { ...input, aggregate: agg };
  const files: ReportFiles = {
    metricsJson: join(dir, 'metrics.json'),
    reportTxt: join(dir, 'report.txt'),
    reportHtml: join(dir, 'report.html'),
    confusionPng: join(dir, 'confusion.png'),
  };
  await writeFileAtomic(files.metricsJson, metricsJsonText(full));
  await writeFileAtomic(files.reportTxt, reportText(full, options));
  const title =
    agg.folds === 1 ? `Confusion matrix (${input.folds[0].name})` : 'Confusion matrix (all folds pooled)';
  await writeFileAtomic(files.confusionPng, await confusionPng(agg.pooled, { title }));
  const history = allHistory(full);
  if (history.length > 0) {
    files.curvesPng = join(dir, 'curves.png');
    await writeFileAtomic(files.curvesPng, await curvesPng(history));
  }
  if (agg.pooled.calibration && agg.pooled.ece !== undefined) {
    files.reliabilityPng = join(dir, 'reliability.png');
    await writeFileAtomic(files.reliabilityPng, await reliabilityPng(agg.pooled.calibration, agg.pooled.ece));
  }
  await writeFileAtomic(files.reportHtml, await reportHtml(full, options));
  return files;
}
