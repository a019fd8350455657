import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { loadCorpus, type CorpusItem, type LoadedCorpus } from '../corpora/index.js';
import { buildDataset, encodeLabels, RowNormalizer, assembleBatch, type Dataset } from '../data/index.js';
import type { RecipeAugmentStep } from '../data/derived.js';
import { resolveConfig, type ModelConfig } from '../models/config.js';
import { modelInputs } from '../models/plan.js';
import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import type { LoopData } from './loop.js';
import { makeFolds, type Fold } from './protocol.js';
import { recipeInputSpecs, type Recipe } from './recipe.js';

/** A loaded corpus with the role the recipe gave it. */
export interface RecipeCorpus {
  loaded: LoadedCorpus;
  role: 'eval' | 'train';
  /** The recipe key that named it, for error messages. */
  key: string;
}

/** Where relative corpus paths of a recipe resolve: `data.root`, else $EMOVOX_DATA, else the cwd. */
export function dataRoot(recipe: Recipe): string {
  return resolve(recipe.data.root ?? process.env.EMOVOX_DATA ?? '.');
}

/**
 * Loads the recipe's corpora. A missing path is an error naming the key (`data.corpora[1].path`)
 * and the path, unless the corpus is `optional` (then `skipped` says so).
 */
export async function loadRecipeCorpora(
  recipe: Recipe,
): Promise<{ corpora: RecipeCorpus[]; skipped: string[] }> {
  const root = dataRoot(recipe);
  const corpora: RecipeCorpus[] = [];
  const skipped: string[] = [];
  for (const [i, c] of recipe.data.corpora.entries()) {
    const key = `data.corpora[${i}].path`;
    const path = isAbsolute(c.path) ? c.path : resolve(root, c.path);
    if (!existsSync(path)) {
      if (c.optional) {
        skipped.push(`${c.path} (optional, not found at ${path})`);
        continue;
      }
      throw new EmovoxParameterError(
        key,
        `corpus path ${path} does not exist (data.root or $EMOVOX_DATA sets the base folder)`,
      );
    }
    let loaded: LoadedCorpus;
    try {
      loaded = await loadCorpus(path, c.corpus ? { corpus: c.corpus } : {});
    } catch (error) {
      if (error instanceof EmovoxInputError) throw new EmovoxParameterError(key, error.message);
      throw error;
    }
    if (loaded.items.length === 0) throw new EmovoxParameterError(key, `no usable items in ${path}`);
    corpora.push({ loaded, role: c.role, key });
  }
  if (!corpora.some((c) => c.role === 'eval')) {
    throw new EmovoxParameterError(
      'data.corpora',
      'no eval corpus was found (all optional ones are missing)',
    );
  }
  return { corpora, skipped };
}

/** Everything a run needs before training: items, classes, folds and the feature arrays. */
export interface PreparedData {
  corpora: RecipeCorpus[];
  skipped: string[];
  classes: string[];
  folds: Fold[];
  dataset: Dataset;
  /** Row of each original item (by `corpus:id`). */
  rowOf: Map<string, number>;
  /** Augmented-copy rows of each original row. */
  copiesOf: Map<number, number[]>;
}

/** Unique key of an item across corpora. */
export const itemKey = (i: CorpusItem): string => `${i.corpus}:${i.id}`;

/**
 * Loads corpora, maps labels, builds and checks the folds (all before any feature work, so bad
 * recipes fail in seconds), then computes the feature arrays through the cache (augmented copies
 * only of items that are in some fold's training set) and drops items that failed.
 */
export async function prepareData(
  recipe: Recipe,
  onProgress?: (phase: 'audio' | 'features', done: number, total: number) => void,
): Promise<PreparedData> {
  const { corpora, skipped } = await loadRecipeCorpora(recipe);
  const all = corpora.flatMap((c) => c.loaded.items);
  const labelSpec = recipe.data.labels;
  const { classes } = encodeLabels(all, labelSpec, 'data.labels');
  const evalNames = new Set(corpora.filter((c) => c.role === 'eval').map((c) => c.loaded.root));
  const mapped = encodeLabels(all, { ...labelSpec, keep: classes }, 'data.labels').items;
  // mapLabels copies items and drops filtered ones; roles follow through the item keys.
  const roleOf = new Map<string, 'eval' | 'train'>();
  for (const c of corpora)
    for (const i of c.loaded.items) roleOf.set(itemKey(i), evalNames.has(c.loaded.root) ? 'eval' : 'train');
  const evalItems = mapped.filter((i) => roleOf.get(itemKey(i)) === 'eval');
  const trainOnly = mapped.filter((i) => roleOf.get(itemKey(i)) === 'train');
  let folds = makeFolds(evalItems, trainOnly, recipe, classes);
  const inTraining = new Set<string>();
  for (const f of folds) for (const i of f.train) inTraining.add(itemKey(i));
  // The final model trains on every item (minus its validation speakers).
  if (recipe.final.train) for (const i of mapped) inTraining.add(itemKey(i));
  const dataset = await buildDataset(mapped, {
    labels: { keep: classes },
    inputs: recipeInputSpecs(recipe),
    preprocess: { trimSilence: recipe.data.preprocess.trimSilence },
    augment: {
      copies: recipe.data.augment.copies,
      steps: recipe.data.augment.steps as unknown as RecipeAugmentStep[],
      seed: recipe.seed,
    },
    augmentable: (i) => inTraining.has(itemKey(i)),
    cache: recipe.data.cache ?? undefined,
    workers: recipe.data.workers ?? undefined,
    onProgress,
  });
  const rowOf = new Map<string, number>();
  const copiesOf = new Map<number, number[]>();
  dataset.rows.forEach((r, i) => {
    if (r.copy === 0) rowOf.set(itemKey(r.item), i);
    else {
      const list = copiesOf.get(r.origin) ?? [];
      list.push(i);
      copiesOf.set(r.origin, list);
    }
  });
  if (dataset.dropped.length > 0) {
    const keep = (items: CorpusItem[]) => items.filter((i) => rowOf.has(itemKey(i)));
    folds = folds.map((f) => ({ ...f, train: keep(f.train), val: keep(f.val), test: keep(f.test) }));
  }
  return { corpora, skipped, classes, folds, dataset, rowOf, copiesOf };
}

/**
 * The recipe's model configuration with input sizes and `classes` filled in from the data
 * (`features` -> inputDim / vectorDim, `frames` -> inputDim, `extra` -> extraDim,
 * `spectrogram` -> inputShape / imageShape). A size the recipe sets that disagrees is an error.
 * @throws EmovoxParameterError('model', problem) when the model's inputs and the recipe's
 *   features do not match.
 */
export function modelConfigFor(recipe: Recipe, dataset: Dataset): ModelConfig {
  const m: Record<string, unknown> = { ...recipe.model, classes: dataset.classes.length };
  const inputs = dataset.inputs;
  const fill = (field: string, value: unknown) => {
    if (m[field] !== undefined && JSON.stringify(m[field]) !== JSON.stringify(value)) {
      throw new EmovoxParameterError(
        `model.${field}`,
        `is ${JSON.stringify(m[field])} but the features give ${JSON.stringify(value)}`,
      );
    }
    m[field] = value;
  };
  const need = (name: string) => {
    const a = inputs[name];
    if (!a)
      throw new EmovoxParameterError('features', `model kind ${String(m.kind)} needs an input named ${name}`);
    return a;
  };
  switch (m.kind) {
    case 'bilstmAttention': {
      fill('inputDim', need('frames').channels);
      if (inputs.extra) fill('extraDim', inputs.extra.channels);
      break;
    }
    case 'cnn2d':
      fill('inputShape', need('spectrogram').shape);
      break;
    case 'hybrid':
      fill('vectorDim', need('features').channels);
      fill('imageShape', need('spectrogram').shape);
      break;
    case 'fusion':
      throw new EmovoxParameterError(
        'model.kind',
        'fusion (audio + text) models are not trained by recipes yet',
      );
    default:
      // mlp, cnn1d, linear and other vector models.
      fill('inputDim', need('features').channels);
  }
  let config: ModelConfig;
  try {
    config = resolveConfig(m);
  } catch (error) {
    if (error instanceof EmovoxInputError) throw new EmovoxParameterError('model', error.problem);
    throw error;
  }
  const wanted = modelInputs(config)
    .map((i) => i.name)
    .filter((n) => n !== 'lengths');
  const extra = Object.keys(inputs).filter((n) => !wanted.includes(n));
  if (extra.length > 0) {
    throw new EmovoxParameterError(
      'features',
      `input ${extra.join(', ')} is not used by a ${String(m.kind)} model (it takes ${wanted.join(', ')})`,
    );
  }
  return config;
}

/** Normalisers of every input, fitted on `trainRows` (originals only). */
export function fitNormalizers(
  recipe: Recipe,
  dataset: Dataset,
  trainRows: readonly number[],
): Record<string, RowNormalizer> {
  const speakerOf = dataset.rows.map((r) => r.speaker);
  const originals = dataset.rows.flatMap((r, i) => (r.copy === 0 ? [i] : []));
  const fitRows = trainRows.filter((r) => dataset.rows[r].copy === 0);
  const out: Record<string, RowNormalizer> = {};
  for (const [name, array] of Object.entries(dataset.inputs)) {
    out[name] = new RowNormalizer(
      array,
      recipe.normalization.mode,
      fitRows,
      speakerOf,
      originals,
      recipe.normalization.minUtterances,
    );
  }
  return out;
}

/** A training-loop view of dataset rows, normalised, with SpecAugment on training batches. */
export function loopDataFor(
  recipe: Recipe,
  dataset: Dataset,
  rows: readonly number[],
  normalizers: Record<string, RowNormalizer>,
  augmentSeed: number,
): LoopData {
  const spec = recipe.data.specAugment;
  return {
    size: rows.length,
    target: (i) => dataset.rows[rows[i]].target,
    batch: (idx, epoch) =>
      assembleBatch(
        dataset.inputs,
        idx.map((i) => rows[i]),
        (name, r) => normalizers[name].row(r),
        epoch !== undefined && spec ? { options: spec, seed: augmentSeed, epoch } : undefined,
      ),
  };
}
