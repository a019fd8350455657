import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { featureSpec, type FeatureSpec, type JsonValue } from '../features/index.js';
import type { InputSpecs } from '../data/arrays.js';
import type { RecipeAugmentStep } from '../data/derived.js';
import { EmovoxInputError, EmovoxParameterError, errorMessage } from '../util/errors.js';
import { resolveRule, setPath, type Rule } from './schema.js';

const num = (
  doc: string,
  d: number | null,
  more: Partial<{ min: number; max: number; integer: boolean; nullable: boolean }> = {},
): Rule => ({
  type: 'number',
  default: d,
  doc,
  ...more,
});

const corpusRule: Rule = {
  type: 'object',
  doc: 'a corpus (a plain string is shorthand for `{ path }`)',
  fields: {
    path: { type: 'string', doc: 'corpus folder or manifest; relative paths resolve against `data.root`' },
    corpus: {
      type: 'string',
      default: null,
      nullable: true,
      doc: 'loader name (default: detected from the file names)',
    },
    role: {
      type: 'enum',
      values: ['eval', 'train'],
      default: 'eval',
      doc: "`eval`: split by the protocol (train/val/test); `train`: extra training data, added to every fold's training set, never validated or tested on",
    },
    optional: {
      type: 'boolean',
      default: false,
      doc: 'skip the corpus (with a note) when its path does not exist',
    },
  },
};

const featureSetRule: Rule = {
  type: 'object',
  doc: 'a feature set (a plain string is shorthand for `{ name }`)',
  fields: {
    name: {
      type: 'string',
      doc: 'a registered feature set (`emovox features --help` lists them; docs/features.md)',
    },
    params: { type: 'json', default: {}, doc: 'parameter overrides of the set' },
  },
};

const inputRule: Rule = {
  type: 'object',
  doc: 'one model input',
  fields: {
    kind: {
      type: 'enum',
      values: ['vector', 'frames', 'image'],
      doc: '`vector` [dims], `frames` [frames, dims] + lengths, `image` [1, bins, frames]',
    },
    sets: {
      type: 'list',
      of: featureSetRule,
      doc: 'feature sets, concatenated (vector: values; frames: per frame)',
    },
    maxFrames: num('frames: keep at most this many frames (0 = all)', 0, { integer: true, min: 0 }),
  },
};

/** The recipe schema: every key, its type, default and meaning (docs/training.md prints it). */
export const RECIPE_SCHEMA: Rule = {
  type: 'object',
  doc: 'recipe',
  fields: {
    name: { type: 'string', default: '', doc: 'run name (default: the recipe file name)' },
    description: { type: 'string', default: '', doc: 'one line on what the recipe reproduces' },
    seed: num('seed of every random choice (splits, initialisation, shuffles, augmentation)', 0, {
      integer: true,
      min: 0,
    }),
    data: {
      type: 'object',
      doc: 'what to train on',
      fields: {
        root: {
          type: 'string',
          default: null,
          nullable: true,
          doc: 'base folder of relative corpus paths (default: $EMOVOX_DATA, else the current folder)',
        },
        corpora: {
          type: 'list',
          of: corpusRule,
          doc: 'corpora to load',
          shorthand: (v) =>
            v
              .split(',')
              .map((p) => p.trim())
              .filter((p) => p !== ''),
        },
        labels: {
          type: 'object',
          doc: 'label handling (canonical emotion names)',
          fields: {
            merge: {
              type: 'map',
              of: { type: 'list', of: { type: 'string', doc: 'label' }, doc: 'labels merged into the key' },
              default: {},
              doc: '`{ target: [labels] }` merges (e.g. `happy: [happy, excited]`)',
            },
            keep: {
              type: 'list',
              of: { type: 'string', doc: 'class' },
              default: null,
              nullable: true,
              doc: 'classes to train on after merging (default: every label present)',
            },
            drop: {
              type: 'list',
              of: { type: 'string', doc: 'label' },
              default: [],
              doc: 'labels removed after merging',
            },
          },
        },
        preprocess: {
          type: 'object',
          doc: 'audio preprocessing (applied at training and stored for inference)',
          fields: {
            trimSilence: {
              type: 'object',
              defaultNull: true,
              doc: 'remove leading/trailing silence (librosa.effects.trim)',
              fields: { topDb: num('threshold in dB below the loudest frame', 30, { min: 1 }) },
            },
          },
        },
        augment: {
          type: 'object',
          doc: 'waveform augmentation: cached augmented copies of training items only',
          fields: {
            copies: num('augmented copies per training item', 0, { integer: true, min: 0, max: 20 }),
            steps: {
              type: 'list',
              default: [],
              doc: 'augmentPipeline steps `{ op, p, params }`, op in noise (snrDb), gain (db), shift (seconds), speed (factor), pitch (semitones), stretch (rate); a parameter is a value or a [min, max] range',
              of: {
                type: 'object',
                doc: 'one step',
                fields: {
                  op: {
                    type: 'enum',
                    values: ['noise', 'gain', 'shift', 'speed', 'pitch', 'stretch'],
                    doc: 'operation',
                  },
                  p: num('probability the step applies', 1, { min: 0, max: 1 }),
                  params: { type: 'json', default: {}, doc: 'parameters of the operation' },
                },
              },
            },
          },
        },
        specAugment: {
          type: 'object',
          defaultNull: true,
          doc: 'SpecAugment masks on the fly on `frames` / `image` inputs while training',
          fields: {
            freqMasks: num('frequency masks', 2, { integer: true, min: 0 }),
            freqWidth: num('maximum width of a frequency mask (bins)', 8, { integer: true, min: 0 }),
            timeMasks: num('time masks', 2, { integer: true, min: 0 }),
            timeWidth: num('maximum width of a time mask (frames)', 20, { integer: true, min: 0 }),
          },
        },
        cache: {
          type: 'string',
          default: null,
          nullable: true,
          doc: 'feature cache folder (default: $EMOVOX_CACHE/features or ~/.cache/emovox/features)',
        },
        workers: num('extraction worker threads (default: all cores)', null, {
          integer: true,
          min: 0,
          nullable: true,
        }),
      },
    },
    features: {
      type: 'map',
      of: inputRule,
      default: {},
      doc: 'model input name (`features`, `frames`, `extra`, `spectrogram`) -> how to compute it',
    },
    normalization: {
      type: 'object',
      doc: 'feature normalisation, fitted on training data only',
      fields: {
        mode: {
          type: 'enum',
          values: ['none', 'global', 'speaker'],
          default: 'global',
          doc: '`global`: z-score with training statistics; `speaker`: each speaker z-scored with its own statistics (labels unused)',
        },
        minUtterances: num(
          'speaker mode at inference: utterances of a speaker before its own statistics replace the training statistics',
          10,
          { integer: true, min: 1 },
        ),
      },
    },
    protocol: {
      type: 'object',
      doc: 'how data is split',
      fields: {
        name: {
          type: 'enum',
          values: [
            'folds:ravdess6',
            'speaker-kfold',
            'loso',
            'loso-session',
            'corpus-holdout',
            'official',
            'random',
          ],
          default: 'speaker-kfold',
          doc: 'evaluation protocol (see the protocols section)',
        },
        k: num('speaker-kfold: number of folds', 5, { integer: true, min: 2 }),
        testCorpora: {
          type: 'list',
          of: { type: 'string', doc: 'corpus' },
          default: [],
          doc: 'corpus-holdout: corpora (loader names) that form the test set',
        },
        testFraction: num('random: fraction of items in test', 0.2, { min: 0.01, max: 0.9 }),
        valFraction: num(
          "share of each fold's training speakers (random: items) held out for validation",
          0.2,
          { min: 0, max: 0.5 },
        ),
        requireAllClasses: { type: 'boolean', default: true, doc: 'error when a test fold lacks a class' },
      },
    },
    model: {
      type: 'json',
      default: { kind: 'mlp' },
      doc: 'model configuration (`kind` and its fields, docs/models.md); input sizes and `classes` are filled in from the data',
    },
    training: {
      type: 'object',
      doc: 'the training loop',
      fields: {
        epochs: num('maximum epochs', 100, { integer: true, min: 1 }),
        batchSize: num('examples per batch', 32, { integer: true, min: 2 }),
        optimizer: {
          type: 'object',
          doc: 'optimiser',
          fields: {
            kind: { type: 'enum', values: ['adam', 'adamw', 'sgd'], default: 'adam', doc: 'optimiser' },
            lr: num('learning rate', 0.001, { min: 1e-8, max: 10 }),
            weightDecay: num('weight decay (L2 for adam/sgd, decoupled for adamw)', 0, { min: 0 }),
            momentum: num('sgd momentum', 0.9, { min: 0, max: 1 }),
            nesterov: { type: 'boolean', default: false, doc: 'sgd Nesterov momentum' },
          },
        },
        schedule: {
          type: 'object',
          doc: 'learning-rate schedule',
          fields: {
            kind: {
              type: 'enum',
              values: ['none', 'plateau', 'cosine', 'step'],
              default: 'plateau',
              doc: 'schedule',
            },
            factor: num('plateau: multiply the lr by this', 0.5, { min: 0.01, max: 0.99 }),
            patience: num('plateau: epochs without improvement before reducing', 5, {
              integer: true,
              min: 0,
            }),
            cooldown: num('plateau: epochs to wait after a reduction', 0, { integer: true, min: 0 }),
            minLr: num('lowest lr (plateau, cosine)', 1e-5, { min: 0 }),
            warmup: num('cosine: linear warm-up epochs', 0, { integer: true, min: 0 }),
            stepSize: num('step: epochs between decays', 30, { integer: true, min: 1 }),
            gamma: num('step: decay factor', 0.1, { min: 0.001, max: 1 }),
          },
        },
        monitor: {
          type: 'string',
          default: 'valUa',
          doc: 'validation metric for early stopping, the plateau schedule and the best epoch (`valUa`, `valAccuracy`, `valMacroF1`, `valLoss`)',
        },
        earlyStopping: {
          type: 'object',
          doc: 'early stopping on `monitor`',
          fields: {
            patience: num('epochs without improvement before stopping (0 = off)', 15, {
              integer: true,
              min: 0,
            }),
            minDelta: num('smallest change that counts as an improvement', 0, { min: 0 }),
          },
        },
        balance: {
          type: 'enum',
          values: ['none', 'weights', 'oversample'],
          default: 'none',
          doc: 'class balancing: loss weights or oversampling',
        },
        labelSmoothing: num('label smoothing', 0, { min: 0, max: 0.5 }),
        gradClip: num('gradient-norm clipping (0 = off)', 0, { min: 0 }),
        threads: num('libtorch intra-op threads of each job (0 = its default, one per core)', 0, {
          integer: true,
          min: 0,
        }),
        jobs: num(
          'folds trained at once, each job a child process with `threads` libtorch threads (1 = one fold after the other in this process; with jobs = cores, set threads to 1); the final model runs as one more job; results do not depend on it',
          1,
          { integer: true, min: 1, max: 64 },
        ),
        ensemble: num(
          'models trained per fold with seeds seed..seed+n-1; their probabilities are averaged',
          1,
          { integer: true, min: 1, max: 16 },
        ),
        refit: {
          type: 'boolean',
          default: false,
          doc: 'after validation picked the best epoch, retrain on training + validation speakers for that many epochs (replaying the learning rates) and test that model',
        },
        checkpointEvery: num('write a resumable checkpoint every n epochs', 1, { integer: true, min: 1 }),
      },
    },
    final: {
      type: 'object',
      doc: 'the model saved in `model/`',
      fields: {
        train: {
          type: 'boolean',
          default: true,
          doc: 'train a final model on all data (validation speakers held out for early stopping and calibration) and save the bundle',
        },
        calibrate: {
          type: 'boolean',
          default: true,
          doc: "fit a temperature on the final model's validation set",
        },
      },
    },
  },
};

/** A recipe with every default filled in (see {@link RECIPE_SCHEMA} and docs/training.md). */
export interface Recipe {
  name: string;
  description: string;
  seed: number;
  data: {
    root: string | null;
    corpora: { path: string; corpus: string | null; role: 'eval' | 'train'; optional: boolean }[];
    labels: { merge: Record<string, string[]>; keep: string[] | null; drop: string[] };
    preprocess: { trimSilence: { topDb: number } | null };
    augment: {
      copies: number;
      steps: { op: RecipeAugmentStep['op']; p: number; params: Record<string, unknown> }[];
    };
    specAugment: { freqMasks: number; freqWidth: number; timeMasks: number; timeWidth: number } | null;
    cache: string | null;
    workers: number | null;
  };
  features: Record<
    string,
    {
      kind: 'vector' | 'frames' | 'image';
      sets: { name: string; params: Record<string, JsonValue> }[];
      maxFrames: number;
    }
  >;
  normalization: { mode: 'none' | 'global' | 'speaker'; minUtterances: number };
  protocol: {
    name:
      'folds:ravdess6' | 'speaker-kfold' | 'loso' | 'loso-session' | 'corpus-holdout' | 'official' | 'random';
    k: number;
    testCorpora: string[];
    testFraction: number;
    valFraction: number;
    requireAllClasses: boolean;
  };
  model: Record<string, unknown> & { kind: string };
  training: {
    epochs: number;
    batchSize: number;
    optimizer: {
      kind: 'adam' | 'adamw' | 'sgd';
      lr: number;
      weightDecay: number;
      momentum: number;
      nesterov: boolean;
    };
    schedule: {
      kind: 'none' | 'plateau' | 'cosine' | 'step';
      factor: number;
      patience: number;
      cooldown: number;
      minLr: number;
      warmup: number;
      stepSize: number;
      gamma: number;
    };
    monitor: string;
    earlyStopping: { patience: number; minDelta: number };
    balance: 'none' | 'weights' | 'oversample';
    labelSmoothing: number;
    gradClip: number;
    threads: number;
    jobs: number;
    ensemble: number;
    refit: boolean;
    checkpointEvery: number;
  };
  final: { train: boolean; calibrate: boolean };
}

/** Normalises shorthands (a corpus or feature set given as a string) before schema checks. */
function expandShorthands(raw: Record<string, unknown>): void {
  const data = raw.data as Record<string, unknown> | undefined;
  if (data && typeof data.corpora === 'string') {
    data.corpora = data.corpora
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
  }
  if (data && Array.isArray(data.corpora))
    data.corpora = data.corpora.map((c) => (typeof c === 'string' ? { path: c } : c));
  const features = raw.features as Record<string, Record<string, unknown>> | undefined;
  if (features && typeof features === 'object') {
    for (const input of Object.values(features)) {
      if (input && Array.isArray(input.sets))
        input.sets = input.sets.map((s) => (typeof s === 'string' ? { name: s } : s));
    }
  }
}

/**
 * Validates a recipe object and fills every default.
 * @param raw - parsed YAML/JSON.
 * @param fallbackName - name when the recipe has none (the file name).
 * @throws EmovoxParameterError(key, problem) naming the first bad key (e.g. `training.optimzer`).
 */
export function resolveRecipe(raw: unknown, fallbackName = 'recipe'): Recipe {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new EmovoxParameterError('recipe', 'must be a mapping of keys (YAML or JSON object)');
  }
  const copy = structuredClone(raw) as Record<string, unknown>;
  expandShorthands(copy);
  const recipe = resolveRule(RECIPE_SCHEMA, copy, '') as Recipe;
  if (recipe.name === '') recipe.name = fallbackName;
  if (typeof recipe.model !== 'object' || recipe.model === null || typeof recipe.model.kind !== 'string') {
    throw new EmovoxParameterError(
      'model.kind',
      'the model needs a kind (mlp, cnn1d, bilstmAttention, cnn2d, hybrid, ...)',
    );
  }
  if (recipe.data.corpora.length === 0) throw new EmovoxParameterError('data.corpora', 'lists no corpus');
  if (!recipe.data.corpora.some((c) => c.role === 'eval')) {
    throw new EmovoxParameterError(
      'data.corpora',
      'needs at least one corpus with role eval (train-only corpora are never tested on)',
    );
  }
  if (Object.keys(recipe.features).length === 0)
    throw new EmovoxParameterError('features', 'defines no model input');
  // Check feature sets and their parameters now, not after loading the corpora.
  for (const [name, input] of Object.entries(recipe.features)) {
    input.sets.forEach((set, i) => {
      try {
        featureSpec(set.name, set.params);
      } catch (error) {
        throw new EmovoxParameterError(
          `features.${name}.sets[${i}]`,
          error instanceof EmovoxInputError ? error.message : errorMessage(error),
        );
      }
    });
  }
  if (recipe.data.augment.copies > 0 && recipe.data.augment.steps.length === 0) {
    throw new EmovoxParameterError(
      'data.augment.steps',
      `copies is ${recipe.data.augment.copies} but no steps are given`,
    );
  }
  return recipe;
}

/** The feature specs of a recipe's inputs, defaults filled in. */
export function recipeInputSpecs(recipe: Recipe): InputSpecs {
  const out: InputSpecs = {};
  for (const [name, input] of Object.entries(recipe.features)) {
    out[name] = {
      kind: input.kind,
      sets: input.sets.map((s): FeatureSpec => featureSpec(s.name, s.params)),
      ...(input.maxFrames > 0 ? { maxFrames: input.maxFrames } : {}),
    };
  }
  return out;
}

/**
 * Parses one `--set key=value` override: the value is read as YAML (numbers, booleans, lists
 * `[a, b]`, objects `{k: v}`, bare strings), so `--set training.epochs=2` sets a number.
 */
export function parseOverride(text: string): [string, unknown] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new EmovoxParameterError('--set', `expected key=value, got ${JSON.stringify(text)}`);
  const key = text.slice(0, eq).trim();
  const source = text.slice(eq + 1);
  let value: unknown;
  try {
    value = source === '' ? '' : (parseYaml(source) as unknown);
  } catch {
    value = source;
  }
  return [key, value ?? null];
}

/** Applies `key=value` overrides to a raw recipe object (before {@link resolveRecipe}). */
export function applyOverrides(
  raw: Record<string, unknown>,
  overrides: readonly string[],
): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const text of overrides) {
    const [key, value] = parseOverride(text);
    // A model or feature block may be replaced as a whole, so its free-form keys stay reachable.
    setPath(out, key, value);
    // Later overrides may index into a shorthand (`data.corpora=a,b` then `data.corpora[1].role=...`).
    expandShorthands(out);
  }
  return out;
}

/**
 * Reads a recipe file (`.yaml`, `.yml` or `.json`), applies overrides and resolves it.
 * @throws EmovoxInputError(path, problem) for an unreadable or unparseable file;
 *   EmovoxParameterError(key, problem) for a bad key (the message names the file too).
 */
export function loadRecipe(
  path: string,
  overrides: readonly string[] = [],
): { recipe: Recipe; raw: Record<string, unknown> } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new EmovoxInputError(path, `cannot read recipe: ${errorMessage(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new EmovoxInputError(
      path,
      `not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${errorMessage(error)}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EmovoxInputError(path, 'a recipe must be a mapping of keys');
  }
  const raw = applyOverrides(parsed as Record<string, unknown>, overrides);
  try {
    return { recipe: resolveRecipe(raw, basename(path).replace(/\.(ya?ml|json)$/i, '')), raw };
  } catch (error) {
    if (error instanceof EmovoxParameterError) {
      throw new EmovoxParameterError(error.source, `${error.problem} (in ${path})`);
    }
    throw error;
  }
}

/** The resolved recipe as YAML (what a run folder's `recipe.yaml` holds). */
export function recipeYaml(recipe: Recipe): string {
  return stringifyYaml(recipe, { lineWidth: 0 });
}
