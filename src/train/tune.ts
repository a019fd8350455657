import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import { EmovoxInputError, EmovoxParameterError, errorMessage } from '../util/errors.js';
import { mulberry32 } from '../util/random.js';
import { runExperiment, type ExperimentEvent, type ExperimentResult } from './experiment.js';
import { resolveRecipe, type Recipe } from './recipe.js';
import { setPath } from './schema.js';

/** One searched key: a list of values, or a numeric range (log-uniform with `log`). */
export type SearchDimension =
  readonly unknown[] | { min: number; max: number; log?: boolean; integer?: boolean };

/** Recipe key (dotted) -> its values. */
export type SearchSpace = Record<string, SearchDimension>;

/**
 * Reads a search-space file (YAML or JSON): a map `key: [values]` or `key: { min, max, log,
 * integer }`, optionally under `params:` with a `method:` (random or grid) beside it.
 * @throws EmovoxInputError(path, problem) for an unreadable file or a malformed dimension.
 */
export function loadSearchSpace(path: string): { space: SearchSpace; method?: 'random' | 'grid' } {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new EmovoxInputError(path, `cannot read search space: ${errorMessage(error)}`);
  }
  if (typeof doc !== 'object' || doc === null)
    throw new EmovoxInputError(path, 'must be a mapping of recipe keys to values');
  const d = doc as Record<string, unknown>;
  const params = (d.params ?? d) as Record<string, unknown>;
  const method = d.params !== undefined ? d.method : undefined;
  if (method !== undefined && method !== 'random' && method !== 'grid')
    throw new EmovoxInputError(path, 'method must be random or grid');
  const space: SearchSpace = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === 'method') continue;
    if (Array.isArray(value)) {
      if (value.length === 0) throw new EmovoxInputError(path, `${key}: empty list of values`);
      space[key] = value;
    } else if (
      value &&
      typeof value === 'object' &&
      typeof (value as { min?: unknown }).min === 'number' &&
      typeof (value as { max?: unknown }).max === 'number'
    ) {
      const r = value as { min: number; max: number; log?: boolean; integer?: boolean };
      if (!(r.max >= r.min) || (r.log && r.min <= 0))
        throw new EmovoxInputError(path, `${key}: needs min <= max (and min > 0 with log)`);
      space[key] = r;
    } else throw new EmovoxInputError(path, `${key}: give a list of values or { min, max }`);
  }
  if (Object.keys(space).length === 0) throw new EmovoxInputError(path, 'searches no key');
  return { space, ...(method ? { method: method } : {}) };
}

/**
 * The trials of a search: `grid` enumerates every combination (ranges need a list for grid);
 * `random` draws `trials` points from a seeded generator (lists uniformly, ranges uniformly or
 * log-uniformly). Grid runs at most `trials` combinations, in order.
 */
export function sampleTrials(
  space: SearchSpace,
  method: 'random' | 'grid',
  trials: number,
  seed: number,
): Record<string, unknown>[] {
  if (!(Number.isInteger(trials) && trials >= 1))
    throw new EmovoxParameterError('--trials', `must be an integer >= 1, got ${trials}`);
  const keys = Object.keys(space).sort();
  if (method === 'grid') {
    for (const k of keys) {
      if (!Array.isArray(space[k]))
        throw new EmovoxParameterError('--space', `grid search needs a list of values for ${k}`);
    }
    let combos: Record<string, unknown>[] = [{}];
    for (const k of keys) {
      combos = combos.flatMap((c) => (space[k] as unknown[]).map((v) => ({ ...c, [k]: v })));
    }
    return combos.slice(0, trials);
  }
  const random = mulberry32(seed);
  return Array.from({ length: trials }, () => {
    const t: Record<string, unknown> = {};
    for (const k of keys) {
      const d = space[k];
      if (Array.isArray(d)) t[k] = d[Math.floor(random.next() * d.length)];
      else {
        const r = d as { min: number; max: number; log?: boolean; integer?: boolean };
        let v = r.log
          ? Math.exp(Math.log(r.min) + random.next() * (Math.log(r.max) - Math.log(r.min)))
          : r.min + random.next() * (r.max - r.min);
        if (r.integer) v = Math.round(v);
        else v = Number(v.toPrecision(4));
        t[k] = v;
      }
    }
    return t;
  });
}

/** One tuning trial's outcome. */
export interface TrialResult {
  trial: number;
  params: Record<string, unknown>;
  /** Mean validation score (the recipe's monitor) over the folds run. */
  score: number;
  seconds: number;
  out: string;
}

/** Options of {@link tuneRecipe}. */
export interface TuneOptions {
  out: string;
  trials: number;
  method: 'random' | 'grid';
  /** Folds to run per trial (default all). */
  folds?: readonly number[];
  /** Run the winner on the test folds afterwards (default true). */
  runWinner?: boolean;
  command?: string;
  /** Progress events of each trial's run, tagged with the trial number. */
  onEvent?: (event: ExperimentEvent & { trial?: number }) => void;
  signal?: AbortSignal;
}

/** The trials table as Markdown (best first). */
export function trialsTable(results: readonly TrialResult[], monitor: string): string {
  const keys = [...new Set(results.flatMap((r) => Object.keys(r.params)))].sort();
  const sorted = [...results].sort((a, b) =>
    monitor.includes('oss') ? a.score - b.score : b.score - a.score,
  );
  const lines = [
    `| rank | trial | ${keys.join(' | ')} | validation ${monitor} | seconds |`,
    `|---:|---:|${keys.map(() => '---|').join('')}---:|---:|`,
    ...sorted.map(
      (r, i) =>
        `| ${i + 1} | ${r.trial} | ${keys.map((k) => JSON.stringify(r.params[k])).join(' | ')} | ${Number.isFinite(r.score) ? r.score.toFixed(4) : 'n/a'} | ${r.seconds.toFixed(0)} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Random or grid search over recipe keys, each trial scored on the validation speakers of each
 * fold only (no test predictions are made), then the winner run once on the test folds into
 * `<out>/best`. Writes `<out>/trials.md` and `<out>/trials.json` after every trial.
 */
export async function tuneRecipe(
  raw: Record<string, unknown>,
  recipeName: string,
  space: SearchSpace,
  options: TuneOptions,
): Promise<{ trials: TrialResult[]; best: TrialResult; winner?: ExperimentResult }> {
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const base = resolveRecipe(raw, recipeName);
  const points = sampleTrials(space, options.method, options.trials, base.seed);
  const recipeFor = (params: Record<string, unknown>): Recipe => {
    const r = structuredClone(raw);
    for (const [k, v] of Object.entries(params)) setPath(r, k, v);
    return resolveRecipe(r, recipeName);
  };
  points.forEach((p) => recipeFor(p)); // every trial's recipe is valid before the first runs
  const results: TrialResult[] = [];
  const monitor = base.training.monitor;
  const better = (a: number, b: number) => (monitor.includes('oss') ? a < b : a > b);
  for (const [i, params] of points.entries()) {
    const trial = i + 1;
    const recipe = recipeFor(params);
    const dir = join(out, `trial-${String(trial).padStart(3, '0')}`);
    const result = await runExperiment(recipe, {
      out: dir,
      folds: options.folds,
      validationOnly: true,
      signal: options.signal,
      onEvent: (e) => options.onEvent?.({ ...e, trial }),
    });
    results.push({ trial, params, score: result.validationScore, seconds: result.wallSeconds, out: dir });
    writeFileAtomicSync(
      join(out, 'trials.json'),
      JSON.stringify({ recipe: recipeName, method: options.method, monitor, trials: results }, null, 2),
    );
    writeFileAtomicSync(join(out, 'trials.md'), trialsTable(results, monitor));
  }
  const best = results.reduce((a, b) =>
    Number.isFinite(b.score) && (!Number.isFinite(a.score) || better(b.score, a.score)) ? b : a,
  );
  let winner: ExperimentResult | undefined;
  if (options.runWinner ?? true) {
    winner = await runExperiment(recipeFor(best.params), {
      out: join(out, 'best'),
      folds: options.folds,
      command: options.command,
      signal: options.signal,
      onEvent: options.onEvent,
    });
  }
  return { trials: results, best, ...(winner ? { winner } : {}) };
}

/** Name for a recipe file's runs. */
export function recipeNameOf(path: string): string {
  return basename(path).replace(/\.(ya?ml|json)$/i, '');
}
