// Text recipes (`task: text`): MELD-style text corpora with an official train/dev/test split, one
// or more members (TF-IDF + logistic regression, text CNN / BiLSTM / Transformer trained from
// scratch) whose probabilities are mixed with weights chosen on dev. The schema uses the same
// declarative rules as the audio recipes, so bad keys fail before anything runs.
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { EmovoxInputError, EmovoxParameterError, errorMessage } from '../util/errors.js';
import { applyOverrides } from './recipe.js';
import { resolveRule, type Rule } from './schema.js';

const num = (doc: string, d: number | null, extra: { integer?: boolean; min?: number; max?: number } = {}) =>
  ({ type: 'number', default: d, nullable: d === null, doc, ...extra }) as Rule;

/** Model kinds a text recipe member may use. */
export const TEXT_MEMBER_KINDS = ['tfidf', 'textCnn', 'textBilstm', 'textTransformer', 'fusion'] as const;

const MEMBER: Rule = {
  type: 'object',
  doc: 'one model; members are mixed by their probabilities',
  fields: {
    name: { type: 'string', default: '', doc: 'member name in reports (default: its kind and position)' },
    model: {
      type: 'json',
      doc: '`{ kind: tfidf }` (TF-IDF + logistic regression), a text model kind, or `fusion` (audio features + tokens; needs `data.audioFeatures`), with its fields (docs/models.md); `vocabSize`, `classes` (and for fusion `audioDim`, `textInput: tokens`, `presence: true`) are filled in',
    },
    seeds: num('neural: models trained with seeds seed..seed+n-1, probabilities averaged', 1, {
      integer: true,
      min: 1,
    }),
    tfidf: {
      type: 'json',
      default: { analyzer: 'char', ngramRange: [2, 5], sublinearTf: true },
      doc: 'tfidf: TfidfVectorizer options (scikit-learn semantics, docs/text.md)',
    },
    cs: {
      type: 'list',
      of: num('a value of C', 1, { min: 1e-9 }),
      default: [1, 2, 4, 8, 16, 32],
      doc: 'tfidf: values of C tried, the best on dev kept',
    },
    classWeight: {
      type: 'enum',
      values: ['balanced'],
      default: null,
      nullable: true,
      doc: 'tfidf: `balanced` class weights, or none',
    },
    tol: num('tfidf: relative gradient tolerance of each logistic-regression fit', 1e-4, { min: 1e-12 }),
    solver: {
      type: 'enum',
      values: ['newton-cg', 'lbfgs'],
      default: 'newton-cg',
      doc: 'tfidf: logistic-regression optimiser (both reach the same optimum within `tol`; Newton-CG is faster)',
    },
    context: num(
      'neural: previous utterances put before each utterance for this member (null = `data.context`)',
      null,
      { integer: true, min: 0 },
    ),
    following: num(
      'neural: following utterances (the replies) put after each utterance for this member, nearest first; reads the finished dialogue, as offline bidirectional dialogue models do',
      0,
      { integer: true, min: 0 },
    ),
    speakers: {
      type: 'boolean',
      default: false,
      doc: 'neural: prefix each turn with its speaker name for this member (always on with `data.speakers`); the vocabulary then holds the names',
    },
    markContext: {
      type: 'boolean',
      default: false,
      doc: "neural: context words get ids of their own (a second embedding row per word, a third for `following` turns), so the model tells the previous and following turns' words from the utterance's",
    },
    training: {
      type: 'object',
      doc: 'neural: the training loop (Adam, early stopping on the dev `select` metric)',
      fields: {
        epochs: num('maximum epochs', 20, { integer: true, min: 1 }),
        batchSize: num('utterances per batch', 32, { integer: true, min: 2 }),
        lr: num('Adam learning rate', 0.001, { min: 0 }),
        weightDecay: num('Adam weight decay (L2)', 0, { min: 0 }),
        balance: {
          type: 'enum',
          values: ['none', 'weights', 'sqrt'],
          default: 'none',
          doc: 'class weights of the loss: none, balanced (`weights`) or their square root (`sqrt`)',
        },
        labelSmoothing: num('label smoothing', 0, { min: 0, max: 0.5 }),
        patience: num('epochs without a better dev score before stopping (0 = off)', 4, {
          integer: true,
          min: 0,
        }),
        threads: num('libtorch intra-op threads (0 = its default)', 0, { integer: true, min: 0 }),
      },
    },
  },
};

/** The schema of a text recipe (every key, type, default and meaning). */
export const TEXT_RECIPE_SCHEMA: Rule = {
  type: 'object',
  doc: 'a text recipe',
  fields: {
    task: { type: 'enum', values: ['text'], doc: 'marks a text recipe (required: `text`)' },
    name: { type: 'string', default: '', doc: 'run name (default: the recipe file name)' },
    description: { type: 'string', default: '', doc: 'one line on what the recipe reproduces' },
    seed: num('seed of every random choice (initialisation, shuffles)', 0, { integer: true, min: 0 }),
    data: {
      type: 'object',
      doc: 'the corpus',
      fields: {
        root: {
          type: 'string',
          default: null,
          nullable: true,
          doc: 'base folder of a relative `path` (default: $EMOVOX_DATA, else the current folder)',
        },
        format: {
          type: 'enum',
          values: ['meld', 'manifest'],
          default: 'meld',
          doc: "`meld`: `path` is a folder with MELD's three CSVs; `manifest`: `path` is a paired CSV (split, label, text, audio, dialogue, speaker, turn; docs/text.md)",
        },
        path: {
          type: 'string',
          default: 'meld-text',
          doc: "folder with MELD's train_sent_emo.csv, dev_sent_emo.csv, test_sent_emo.csv (or the manifest CSV)",
        },
        audioFeatures: {
          type: 'string',
          default: null,
          nullable: true,
          doc: "vector feature set computed from each item's audio for `fusion` members (e.g. `vector180`; `emovox features --list`)",
        },
        context: num('previous utterances of the dialogue put before each utterance (neural members)', 0, {
          integer: true,
          min: 0,
        }),
        speakers: { type: 'boolean', default: false, doc: 'prefix each turn with its speaker name' },
        maxLength: num('token ids per example, context included (neural members)', 64, {
          integer: true,
          min: 2,
        }),
        minCount: num('words seen fewer times in train become [UNK]', 1, { integer: true, min: 1 }),
      },
    },
    members: { type: 'list', of: MEMBER, doc: 'the models (at least one)' },
    mix: {
      type: 'enum',
      values: ['dev', 'equal', 'checked'],
      default: 'dev',
      doc: '`dev`: member weights on a 0.1 grid of the simplex (0.2 with more than 6 members) maximising the dev `select` metric; `equal`: plain average; `checked`: the `dev` weights, kept only when weights chosen on one half of dev beat the plain average on the other half (5 random splits), else the plain average',
    },
    offsets: {
      type: 'enum',
      values: ['none', 'dev'],
      default: 'none',
      doc: '`dev`: per-class offsets added to the log-probabilities of the mix (natural-log units, -0.5..0.5 in steps of 0.1, one coordinate-ascent pass over the classes) chosen to maximise the dev `select` metric; kept only when tuning on one half of dev and scoring the other (5 random splits) gains on average, then applied once to test; `none`: plain argmax',
    },
    select: {
      type: 'enum',
      values: ['weightedF1', 'macroF1', 'ua', 'wa'],
      default: 'weightedF1',
      doc: 'dev metric that chooses C, the best epoch and the mix (MELD: weighted F1)',
    },
  },
};

/** One resolved member. */
export interface TextMember {
  name: string;
  model: { kind: (typeof TEXT_MEMBER_KINDS)[number] } & Record<string, unknown>;
  seeds: number;
  tfidf: Record<string, unknown>;
  cs: number[];
  classWeight: 'balanced' | null;
  tol: number;
  solver: 'newton-cg' | 'lbfgs';
  context: number | null;
  following: number;
  speakers: boolean;
  markContext: boolean;
  training: {
    epochs: number;
    batchSize: number;
    lr: number;
    weightDecay: number;
    balance: 'none' | 'weights' | 'sqrt';
    labelSmoothing: number;
    patience: number;
    threads: number;
  };
}

/** A resolved text recipe: every default filled in. */
export interface TextRecipe {
  task: 'text';
  name: string;
  description: string;
  seed: number;
  data: {
    root: string | null;
    format: 'meld' | 'manifest';
    path: string;
    audioFeatures: string | null;
    context: number;
    speakers: boolean;
    maxLength: number;
    minCount: number;
  };
  members: TextMember[];
  mix: 'dev' | 'equal' | 'checked';
  offsets: 'none' | 'dev';
  select: 'weightedF1' | 'macroF1' | 'ua' | 'wa';
}

/** True when a parsed recipe object is a text recipe (`task: text`). */
export function isTextRecipe(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { task?: unknown }).task === 'text';
}

/**
 * Checks a raw text recipe and fills defaults.
 * @throws EmovoxParameterError(key, problem) for a bad key or value.
 */
export function resolveTextRecipe(raw: unknown, fallbackName = 'text-recipe'): TextRecipe {
  const recipe = resolveRule(TEXT_RECIPE_SCHEMA, raw, '') as TextRecipe;
  if (recipe.members.length === 0) throw new EmovoxParameterError('members', 'needs at least one member');
  recipe.members.forEach((m, i) => {
    const kind = (m.model as { kind?: unknown } | null)?.kind;
    if (!TEXT_MEMBER_KINDS.includes(kind as TextMember['model']['kind']))
      throw new EmovoxParameterError(
        `members[${i}].model.kind`,
        `must be one of ${TEXT_MEMBER_KINDS.join(', ')}, got ${JSON.stringify(kind)}`,
      );
    if (kind === 'fusion' && recipe.data.audioFeatures === null)
      throw new EmovoxParameterError(
        `members[${i}].model.kind`,
        'a fusion member needs data.audioFeatures (a vector feature set, e.g. vector180)',
      );
    if (m.name === '') m.name = `${kind as string}${recipe.members.length > 1 ? `-${i + 1}` : ''}`;
  });
  const names = recipe.members.map((m) => m.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new EmovoxParameterError('members', `member name "${twice}" appears twice`);
  if (recipe.name === '') recipe.name = fallbackName;
  return recipe;
}

/** Reads and parses a recipe file (YAML or JSON) into a plain object. */
export function readRecipeFile(path: string): Record<string, unknown> {
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
    throw new EmovoxInputError(path, `not valid YAML/JSON: ${errorMessage(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new EmovoxInputError(path, 'a recipe must be a mapping of keys');
  return parsed as Record<string, unknown>;
}

/**
 * Reads a text recipe file, applies `--set key=value` overrides and resolves it.
 * @throws EmovoxInputError(path, problem) for an unreadable file; EmovoxParameterError(key,
 *   problem) for a bad key (the message names the file too).
 */
export function loadTextRecipe(path: string, overrides: readonly string[] = []): TextRecipe {
  const raw = applyOverrides(readRecipeFile(path), overrides);
  try {
    return resolveTextRecipe(raw, basename(path).replace(/\.(ya?ml|json)$/i, ''));
  } catch (error) {
    if (error instanceof EmovoxParameterError)
      throw new EmovoxParameterError(error.source, `${error.problem} (in ${path})`);
    throw error;
  }
}

/** The resolved recipe as YAML (the run folder's `recipe.yaml`). */
export function textRecipeYaml(recipe: TextRecipe): string {
  return stringifyYaml(recipe, { lineWidth: 0 });
}
