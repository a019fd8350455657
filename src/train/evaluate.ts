import { mkdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { loadCorpora, type CorpusItem } from '../corpora/index.js';
import { assembleBatch, buildDataset, fitStats, type Dataset } from '../data/index.js';
import {
  applyTemperature,
  classificationMetrics,
  groupAccuracy,
  type ClassificationMetrics,
} from '../eval/index.js';
import { featureFunction, type FeatureSpec } from '../features/index.js';
import { EmotionSession } from '../infer/index.js';
import { loadBundle, type ModelBundle } from '../models/bundle.js';
import { standardize, type ChannelStats } from '../models/normalization.js';
import { writeReportFiles, type GroupRow, type ReportInput } from '../report/index.js';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import type { ExperimentEvent } from './experiment.js';

/** Options of {@link evaluateBundle}. */
export interface EvaluateOptions {
  /** Folder for the report files (created); none when omitted. */
  out?: string;
  /** Feature cache (default shared) and workers. */
  cache?: string | false;
  workers?: number;
  /** Progress events while the bundle is scored. */
  onEvent?: (event: ExperimentEvent) => void;
}

/** What {@link evaluateBundle} returns. */
export interface EvaluationResult {
  bundle: string;
  labels: string[];
  /** One result per evaluated corpus (a "fold" in the report), then `all` when several. */
  corpora: { corpus: string; metrics: ClassificationMetrics }[];
  /** Items left out: labels the model does not know, unreadable files. */
  skipped: { source: string; problem: string }[];
  files: string[];
}

/**
 * The feature specs of a bundle, checked against this emovox's feature registry.
 * @throws EmovoxInputError(bundle path, problem) for a format-1 bundle (no feature description)
 *   or a feature set whose version this emovox does not compute.
 */
export function bundleInputs(bundle: ModelBundle, path: string): NonNullable<ModelBundle['inputs']> {
  if (!bundle.inputs) {
    throw new EmovoxInputError(
      path,
      'bundle has no feature description (format 1): retrain it with emovox train to evaluate on audio',
    );
  }
  for (const [name, input] of Object.entries(bundle.inputs)) {
    for (const set of input.sets) {
      try {
        featureFunction(set as FeatureSpec);
      } catch (error) {
        throw new EmovoxInputError(
          path,
          `input ${name}: ${error instanceof EmovoxInputError ? error.message : errorMessage(error)}`,
        );
      }
    }
  }
  return bundle.inputs;
}

/** Per-row normalisation as the bundle prescribes (speaker mode: each speaker's own statistics once it has enough items). */
function rowSource(bundle: ModelBundle, dataset: Dataset): (input: string, row: number) => Float32Array {
  const speakerStats = new Map<string, ChannelStats | null>();
  return (input, r) => {
    const n = bundle.normalization?.[input];
    const values = dataset.inputs[input].rows[r];
    if (!n || n.mode === 'none') return values;
    if (n.mode === 'global') return standardize(values, n.layout, n.stats!);
    const speaker = dataset.rows[r].speaker;
    const key = `${input}\u0000${speaker}`;
    if (!speakerStats.has(key)) {
      const rows = dataset.rows.flatMap((x, i) => (x.speaker === speaker && speaker !== '' ? [i] : []));
      speakerStats.set(
        key,
        rows.length >= (n.minUtterances ?? 10) ? fitStats(dataset.inputs[input], rows) : null,
      );
    }
    return standardize(values, n.layout, speakerStats.get(key) ?? n.stats!);
  };
}

/**
 * Evaluates a saved model on corpora (cross-corpus evaluation): the bundle's preprocessing,
 * features and normalisation, its ONNX model through onnxruntime (no libtorch), its calibration
 * temperature; metrics per corpus and pooled; report files when `out` is given.
 */
export async function evaluateBundle(
  bundlePath: string,
  corpora: readonly string[],
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const bundle = loadBundle(bundlePath);
  const inputs = bundleInputs(bundle, bundlePath);
  const labels = bundle.labels;
  if (!labels) throw new EmovoxInputError(bundlePath, 'bundle has no labels');
  const loaded = await loadCorpora(corpora);
  const skipped: EvaluationResult['skipped'] = loaded.problems.map((p) => ({
    source: p.source,
    problem: p.problem,
  }));
  const known = new Set(labels);
  const items: CorpusItem[] = [];
  for (const item of loaded.items) {
    if (known.has(item.label)) items.push(item);
    else
      skipped.push({
        source: item.path,
        problem: `label ${item.label} is not one the model knows (${labels.join(', ')})`,
      });
  }
  if (items.length === 0)
    throw new EmovoxInputError(corpora.join(' '), `no items with the model's labels (${labels.join(', ')})`);
  const present = labels.filter((l) => items.some((i) => i.label === l));
  const dataset = await buildDataset(items, {
    labels: { keep: present.length >= 2 ? present : labels },
    inputs: inputs as never,
    preprocess: { trimSilence: bundle.preprocess?.trimSilence ?? null },
    cache: options.cache,
    workers: options.workers,
    onProgress: (phase, done, total) => options.onEvent?.({ type: 'progress', phase, done, total }),
  });
  skipped.push(...dataset.dropped);
  const session = await EmotionSession.load(bundlePath);
  const source = rowSource(bundle, dataset);
  const n = dataset.rows.length;
  const k = labels.length;
  const logits = new Float32Array(n * k);
  try {
    for (let s = 0; s < n; s += 64) {
      const rows = Array.from({ length: Math.min(64, n - s) }, (_, i) => s + i);
      const batch = assembleBatch(dataset.inputs, rows, source);
      const out = await session.run(batch);
      logits.set(out.logits, s * k);
    }
  } finally {
    await session.release();
  }
  const probabilities = applyTemperature(logits, k, bundle.calibration?.temperature ?? 1);
  const index = new Map(labels.map((l, i) => [l, i]));
  const truth = dataset.rows.map((r) => index.get(dataset.classes[r.target])!);
  const predicted = Array.from({ length: n }, (_, r) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (probabilities[r * k + c] > probabilities[r * k + best]) best = c;
    return best;
  });
  const byCorpus = [...new Set(dataset.rows.map((r) => r.item.corpus))];
  const folds = byCorpus.map((corpus) => {
    const rows = dataset.rows.flatMap((r, i) => (r.item.corpus === corpus ? [i] : []));
    const probs = new Float32Array(rows.length * k);
    rows.forEach((r, j) => probs.set(probabilities.subarray(r * k, (r + 1) * k), j * k));
    return {
      corpus,
      metrics: classificationMetrics(
        rows.map((r) => truth[r]),
        rows.map((r) => predicted[r]),
        labels,
        { probabilities: probs },
      ),
    };
  });
  const files: string[] = [];
  if (options.out) {
    const out = resolve(options.out);
    mkdirSync(out, { recursive: true });
    const speakers = dataset.rows.map((r) => r.speaker || '(no speaker id)');
    const perSpeaker: GroupRow[] = groupAccuracy(truth, predicted, speakers);
    const input: ReportInput = {
      title: `${basename(resolve(bundlePath))} evaluated on ${byCorpus.join(', ')}`,
      dataSummary: byCorpus.map((corpus) => ({
        corpus,
        items: dataset.rows.filter((r) => r.item.corpus === corpus).length,
        speakers: new Set(dataset.rows.filter((r) => r.item.corpus === corpus).map((r) => r.speaker)).size,
      })),
      folds: folds.map((f) => ({ name: f.corpus, metrics: f.metrics })),
      perSpeaker,
      ...(bundle.calibration ? { temperature: bundle.calibration.temperature } : {}),
      notes: [
        `Model: ${resolve(bundlePath)}${bundle.card ? ` (${bundle.card.name}, trained ${bundle.card.created})` : ''}.`,
        `${skipped.length} items skipped (labels the model does not know, unreadable files).`,
        ...(bundle.normalization && Object.values(bundle.normalization).some((x) => x.mode === 'speaker')
          ? [
              'Per-speaker normalisation: each evaluated speaker is z-scored with its own statistics (the training statistics when it has too few items).',
            ]
          : []),
      ],
    };
    const written = await writeReportFiles(out, input);
    files.push(...Object.values(written).filter((p): p is string => typeof p === 'string'));
  }
  return { bundle: bundlePath, labels, corpora: folds, skipped, files };
}
