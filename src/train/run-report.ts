import { join } from 'node:path';
import { groupAccuracy } from '../eval/index.js';
import {
  writeReportFiles,
  type FoldResult,
  type GroupRow,
  type ReportInput,
  type TableRow,
} from '../report/index.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { foldMetrics, type ExperimentResult } from './experiment.js';
import { isSpeakerIndependent } from './protocol.js';
import { itemKey } from './setup.js';

function csvField(value: string | number): string {
  const s = String(value);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The report input of a finished run: folds with metrics and history, per-speaker rows, notes. */
export function runReportInput(result: ExperimentResult): ReportInput {
  const { data, recipe } = result;
  const folds: FoldResult[] = result.folds.map((f, i) => ({
    name: f.name,
    metrics: result.metrics[i] ?? foldMetrics(f, result.classes),
    history: f.histories.flatMap((h, m) =>
      h.map((e) => ({
        fold: f.histories.length > 1 ? `${f.name} m${m + 1}` : f.name,
        epoch: e.epoch + 1,
        trainLoss: e.trainLoss,
        ...(e.valLoss !== undefined ? { valLoss: e.valLoss } : {}),
        ...(e.valUa !== undefined ? { valUa: e.valUa } : {}),
        lr: e.lr,
      })),
    ),
  }));
  const truth = result.folds.flatMap((f) => f.truth);
  const predicted = result.folds.flatMap((f) => f.predicted);
  const foldOf = result.folds.flatMap((f) => f.truth.map(() => f.name));
  const speakers = result.folds.flatMap((f) => f.speakers.map((s) => (s === '' ? '(no speaker id)' : s)));
  const corpora = result.folds.flatMap((f) => f.corpora);
  const speakerFold = new Map(speakers.map((s, i) => [s, foldOf[i]]));
  const perSpeaker: GroupRow[] = groupAccuracy(truth, predicted, speakers).map((g) => ({
    ...g,
    fold: speakerFold.get(g.group),
  }));
  const perCorpus: GroupRow[] = groupAccuracy(truth, predicted, corpora);
  const dataSummary: TableRow[] = data.corpora.map((c) => {
    const items = c.loaded.items.filter((i) => data.rowOf.has(itemKey(i)));
    return {
      corpus: c.loaded.corpus,
      role: c.role,
      path: c.loaded.root,
      items: items.length,
      speakers: new Set(items.map((i) => i.speaker)).size,
      augmentedCopies: data.dataset.rows.filter((r) => r.copy > 0 && r.item.corpus === c.loaded.corpus)
        .length,
      problems: c.loaded.problems.length,
    };
  });
  const notes: string[] = [];
  if (!isSpeakerIndependent(recipe.protocol.name)) {
    notes.push(
      'Random split: the same speakers are in train and test, which inflates accuracy; report a speaker-independent protocol as the headline.',
    );
  }
  for (const f of result.folds) if (f.warning) notes.push(`${f.name}: ${f.warning}`);
  notes.push(
    `Probabilities are temperature-scaled per fold on that fold's validation speakers (temperatures ${result.folds
      .map((f) => f.temperature.toFixed(2))
      .join(', ')}); predictions are the arg-max and do not change.`,
  );
  notes.push(
    `Normalisation: ${recipe.normalization.mode}${recipe.normalization.mode === 'speaker' ? ' (each speaker z-scored with its own statistics, labels unused)' : ''}.`,
  );
  if (data.skipped.length > 0) notes.push(`Corpora skipped: ${data.skipped.join('; ')}.`);
  if (data.dataset.dropped.length > 0)
    notes.push(`${data.dataset.dropped.length} items dropped (unreadable audio or features); see train.log.`);
  notes.push(`Wall time ${result.wallSeconds.toFixed(1)} s.`);
  return {
    title: `${recipe.name}: ${recipe.protocol.name}`,
    recipe,
    dataSummary,
    folds,
    perSpeaker,
    perCorpus,
    notes,
  };
}

/**
 * Writes a finished run's reports into its folder, each atomically: metrics.json, report.txt,
 * confusion.png, curves.png, reliability.png, report.html (src/report) and predictions.csv (one
 * row per test item: fold, item, speaker, corpus, true and predicted label, probabilities).
 * @returns the paths written.
 */
export async function writeRunReport(result: ExperimentResult): Promise<string[]> {
  if (result.folds.length === 0 || result.folds.every((f) => f.truth.length === 0)) return [];
  const files = await writeReportFiles(result.out, runReportInput(result));
  const classes = result.classes;
  const lines = [
    ['fold', 'item', 'speaker', 'corpus', 'truth', 'predicted', ...classes.map((c) => `p_${c}`)].join(','),
  ];
  for (const f of result.folds) {
    f.truth.forEach((t, i) => {
      const probs = f.probabilities
        .slice(i * classes.length, (i + 1) * classes.length)
        .map((p) => p.toFixed(6));
      lines.push(
        [f.name, f.ids[i], f.speakers[i], f.corpora[i], classes[t], classes[f.predicted[i]], ...probs]
          .map(csvField)
          .join(','),
      );
    });
  }
  const predictions = join(result.out, 'predictions.csv');
  await writeFileAtomic(predictions, `${lines.join('\n')}\n`);
  return [...Object.values(files).filter((p): p is string => typeof p === 'string'), predictions];
}
