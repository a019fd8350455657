import type { CorpusItem } from '../corpora/index.js';
import type { FeatureCache } from '../extract/index.js';
import { extractArrays, type InputArray, type InputSpecs } from './arrays.js';
import { deriveAudioBatch, type AudioTransform, type RecipeAugmentStep } from './derived.js';
import { encodeLabels, type LabelSpec } from './labels.js';

/** One row of a {@link Dataset}: an item (original or augmented copy) and its class. */
export interface DatasetRow {
  /** The corpus item, label merged. */
  item: CorpusItem;
  /** Class index into `classes`. */
  target: number;
  /** Speaker key `corpus/speaker`, or '' when the corpus has no speaker ids. */
  speaker: string;
  /** Index of the original row this row derives from (its own index for originals). */
  origin: number;
  /** 0 for the original, k for augmented copy k. */
  copy: number;
  /** The audio the features came from (the file, or a derived copy). */
  audio: string;
}

/** Items turned into model-ready arrays, one row per original and per augmented copy. */
export interface Dataset {
  classes: string[];
  rows: DatasetRow[];
  /** Input name -> one value row per dataset row. */
  inputs: Record<string, InputArray>;
  /** Items left out because their audio or features failed (source, problem). */
  dropped: { source: string; problem: string }[];
  /** Feature files served from the cache / computed. */
  cacheHits: number;
  extracted: number;
}

/** Options of {@link buildDataset}. */
export interface BuildDatasetOptions {
  /** Label merges, class list, drops. */
  labels?: LabelSpec;
  /** Model input name -> how to compute it. */
  inputs: InputSpecs;
  /** Audio preprocessing for every item (training and test alike, and stored for inference). */
  preprocess?: { trimSilence?: { topDb: number } | null };
  /**
   * Waveform augmentation: `copies` augmented copies of every item `augmentable` accepts (only
   * items that can be in a training set), each from `augmentPipeline(steps, seed)`.
   */
  augment?: { copies: number; steps: readonly RecipeAugmentStep[]; seed: number };
  /** Which items may get augmented copies (default: all). */
  augmentable?: (item: CorpusItem) => boolean;
  /** Feature cache (default: the shared cache). */
  cache?: FeatureCache | string | false;
  /** Derived-audio folder (default beside the feature cache). */
  derivedDir?: string;
  /** Worker threads (default all cores). */
  workers?: number;
  /** Progress of the two phases. */
  onProgress?: (phase: 'audio' | 'features', done: number, total: number) => void;
  /** Name used in label errors (default `data.labels`). */
  labelSource?: string;
}

/**
 * Builds the arrays a recipe trains on: applies the label spec, makes derived audio (segments,
 * silence trimming, augmented copies, all cached on disk), extracts every input's features
 * through the feature cache, and drops items whose audio or features failed (reported in
 * `dropped`, never fatal for the rest).
 */
export async function buildDataset(
  items: readonly CorpusItem[],
  options: BuildDatasetOptions,
): Promise<Dataset> {
  const {
    items: mapped,
    classes,
    targets,
  } = encodeLabels(items, options.labels, options.labelSource ?? 'data.labels');
  const trimSilence = options.preprocess?.trimSilence ?? undefined;
  const base = (item: CorpusItem): AudioTransform => ({
    ...(item.start !== undefined ? { segment: { start: item.start, end: item.end } } : {}),
    ...(trimSilence ? { trimSilence } : {}),
  });
  const planned: {
    item: CorpusItem;
    target: number;
    origin: number;
    copy: number;
    transform: AudioTransform;
  }[] = mapped.map((item, i) => ({ item, target: targets[i], origin: i, copy: 0, transform: base(item) }));
  const augment = options.augment;
  if (augment && augment.copies > 0 && augment.steps.length > 0) {
    mapped.forEach((item, i) => {
      if (options.augmentable && !options.augmentable(item)) return;
      for (let k = 1; k <= augment.copies; k++) {
        planned.push({
          item,
          target: targets[i],
          origin: i,
          copy: k,
          // The index mixes item and copy so every copy draws its own parameters.
          transform: {
            ...base(item),
            augment: { steps: augment.steps, seed: augment.seed, index: i * 1009 + k },
          },
        });
      }
    });
  }
  const derived = await deriveAudioBatch(
    planned.map((p) => ({ path: p.item.path, transform: p.transform })),
    {
      dir: options.derivedDir,
      workers: options.workers,
      onProgress: (done, total) => options.onProgress?.('audio', done, total),
    },
  );
  const okPlanned: typeof planned = [];
  const audio: string[] = [];
  const problems = new Map<number, string>(); // planned index -> problem
  derived.forEach((d, i) => {
    if ('problem' in d) problems.set(i, d.problem);
    else {
      okPlanned.push(planned[i]);
      audio.push(d.path);
    }
  });
  const extracted = await extractArrays(audio, options.inputs, {
    cache: options.cache,
    workers: options.workers,
    onProgress: (done, total) => options.onProgress?.('features', done, total),
  });
  const okIndex = planned.map(() => -1);
  let next = 0;
  planned.forEach((_p, i) => {
    if (!problems.has(i)) okIndex[i] = next++;
  });
  planned.forEach((_p, i) => {
    const k = okIndex[i];
    if (k >= 0 && extracted.problems[k] !== undefined) problems.set(i, extracted.problems[k]);
  });
  // A copy never outlives its original; a failed original is reported once, not once per copy.
  const failedOrigin = new Set<number>();
  for (const i of problems.keys()) if (planned[i].copy === 0) failedOrigin.add(planned[i].origin);
  const dropped: { source: string; problem: string }[] = [];
  for (const [i, problem] of [...problems].sort((a, b) => a[0] - b[0])) {
    const p = planned[i];
    if (p.copy === 0) dropped.push({ source: p.item.path, problem });
    else if (!failedOrigin.has(p.origin))
      dropped.push({ source: `${p.item.path} (augmented copy ${p.copy})`, problem });
  }
  const keep: number[] = [];
  planned.forEach((p, i) => {
    if (!problems.has(i) && !failedOrigin.has(p.origin)) keep.push(okIndex[i]);
  });
  // Originals first (their dataset index is their row), then copies pointing at them.
  keep.sort((a, b) => okPlanned[a].copy - okPlanned[b].copy || a - b);
  const rowOfOrigin = new Map<number, number>();
  const rows: DatasetRow[] = keep.map((i, r) => {
    const p = okPlanned[i];
    if (p.copy === 0) rowOfOrigin.set(p.origin, r);
    return {
      item: p.item,
      target: p.target,
      speaker: p.item.speaker === '' ? '' : `${p.item.corpus}/${p.item.speaker}`,
      origin: p.copy === 0 ? r : rowOfOrigin.get(p.origin)!,
      copy: p.copy,
      audio: audio[i],
    };
  });
  const inputs: Record<string, InputArray> = {};
  for (const [name, array] of Object.entries(extracted.inputs)) {
    inputs[name] = { ...array, rows: keep.map((i) => array.rows[i]) };
  }
  return { classes, rows, inputs, dropped, cacheHits: extracted.cacheHits, extracted: extracted.extracted };
}
