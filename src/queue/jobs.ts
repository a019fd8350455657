// What travels through the queue: job payloads (paths, content hashes, feature specs and recipes
// as plain data, never code) and the per-item outcomes workers store. Workers check every
// payload here before doing anything with it.
import { featureSetDefinition, featureSpec, type FeatureSpec, type JsonValue } from '../features/sets.js';
import { canonicalJson } from '../util/canonical-json.js';
import { errorMessage } from '../util/errors.js';

/** BullMQ key prefix of emovox's queues and run state (`emovox:<queue>:...`, `emovox:run:<id>:...`). */
export const QUEUE_PREFIX = 'emovox';

/** The job kinds, one BullMQ queue each. `ping` jobs do nothing (queue overhead measurements). */
export const JOB_KINDS = ['features', 'predict', 'tune', 'ping'] as const;

/** A job kind (and the name of its queue). */
export type JobKind = (typeof JOB_KINDS)[number];

/** One item of a job: its position in the client's input list, and the audio path for file jobs. */
export interface JobItem {
  readonly index: number;
  readonly path?: string;
}

interface JobBase {
  /** Payload layout version; a worker refuses others. */
  readonly v: 1;
  readonly runId: string;
  /** Chunk number within the run (0-based). */
  readonly chunk: number;
  readonly items: readonly JobItem[];
}

/** Extract one feature set from a chunk of files. */
export interface FeaturesJob extends JobBase {
  readonly kind: 'features';
  /** The full feature spec (name, version, every parameter); the worker recomputes it from its registry and refuses a mismatch. */
  readonly spec: FeatureSpec;
  /** Per-file limits: bytes, seconds (`null` = no limit), strict decoding. */
  readonly limits: {
    readonly maxFileBytes: number;
    readonly maxDuration: number | null;
    readonly strict: boolean;
  };
  /** Feature cache folder as the client names it (a shared path), `null` for the worker's own, `false` for none. */
  readonly cache: string | null | false;
}

/** Score a chunk of files with a model bundle. */
export interface PredictJob extends JobBase {
  readonly kind: 'predict';
  /** A bundled model's name, or a bundle path; `sha256` of the bundle's files, so every worker runs the client's model. */
  readonly model: { readonly name?: string; readonly path?: string; readonly sha256: string };
  /** Seconds (`null` = no limit). */
  readonly maxDuration: number | null;
  readonly timeline?: {
    readonly window?: number;
    readonly hop?: number;
    readonly vad?: 'silero' | 'energy' | 'none';
    readonly smoothing?: number;
  };
}

/** Run one tuning trial (validation folds only) or the winner (test folds, model, report). */
export interface TuneJob extends JobBase {
  readonly kind: 'tune';
  /** The recipe as data (the trial's values already set), resolved and checked by the worker. */
  readonly recipe: Record<string, unknown>;
  readonly recipeName: string;
  /** Run folder (a path the workers share with the client). */
  readonly out: string;
  readonly folds?: readonly number[];
  /** True for the winner's full run (test folds, final model, report files). */
  readonly winner: boolean;
  /** The command line recorded in the winner's run files. */
  readonly command?: string;
}

/** A job that does nothing but store one outcome per item: measures the queue's own overhead. */
export interface PingJob extends JobBase {
  readonly kind: 'ping';
}

/** Any job payload. */
export type QueueJob = FeaturesJob | PredictJob | TuneJob | PingJob;

/** Outcome of one item, as a worker stores it (JSON) in the run's item table. */
export type ItemOutcome =
  | {
      readonly ok: true;
      /** Worker that produced it (`host:pid`). */
      readonly by: string;
      /** features: sha256 of the file's bytes; the value is stored under it. */
      readonly hash?: string;
      /** features: served from the worker's feature cache. */
      readonly cached?: boolean;
      /** features: warnings of the file (truncated audio read as far as it goes...). */
      readonly warnings?: readonly string[];
      /** predict: the file's prediction (what `predictFiles` returns, without `file`). */
      readonly prediction?: Record<string, unknown>;
      /** tune: validation score (`null` when not finite), wall seconds, run folder. */
      readonly score?: number | null;
      readonly seconds?: number;
      readonly out?: string;
      /** tune winner: what the run summary prints. */
      readonly summary?: WinnerSummary;
    }
  | { readonly ok: false; readonly by: string; readonly problem: string };

/** What a winner run reports back (the fields the run summary prints). */
export interface WinnerSummary {
  readonly name: string;
  readonly protocol: string;
  /** Per fold: unweighted and weighted accuracy. */
  readonly metrics: readonly { readonly ua: number; readonly wa: number }[];
  readonly wallSeconds: number;
  readonly out: string;
  readonly model?: string;
  /** Report files written. */
  readonly files: readonly string[];
}

/** A payload a worker will not run: the job fails at once, without retries. */
export class JobRefused extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'JobRefused';
  }
}

/** Run ids: letters, digits, `_` and `-`, 1-64 characters (they become Redis keys and job ids). */
export const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function need(condition: boolean, problem: string): asserts condition {
  if (!condition) throw new JobRefused(problem);
}

function checkItems(items: unknown, withPaths: boolean): JobItem[] {
  need(Array.isArray(items) && items.length > 0 && items.length <= 100_000, 'items must be a non-empty list');
  return items.map((item: unknown, i) => {
    need(isRecord(item), `item ${i} is not an object`);
    need(Number.isInteger(item.index) && (item.index as number) >= 0, `item ${i}: bad index`);
    if (withPaths) need(typeof item.path === 'string' && item.path.length > 0, `item ${i}: no path`);
    return withPaths
      ? { index: item.index as number, path: item.path as string }
      : { index: item.index as number };
  });
}

function finiteOrNull(x: unknown, name: string): number | null {
  need(x === null || (typeof x === 'number' && x > 0), `${name} must be a number > 0 or null`);
  return x;
}

/**
 * The feature spec of a job, recomputed from this emovox's registry: an unknown set, another
 * set version, an unknown parameter or any value the registry would fill in differently (an
 * encoder model whose sha256 differs on this machine) refuses the job.
 */
export function checkJobSpec(spec: unknown): FeatureSpec {
  need(
    isRecord(spec) && typeof spec.name === 'string' && isRecord(spec.params),
    'spec must be { name, version, params }',
  );
  let definition;
  try {
    definition = featureSetDefinition(spec.name);
  } catch {
    throw new JobRefused(
      `unknown feature set "${spec.name}" (this worker runs emovox with other sets; update it)`,
    );
  }
  need(
    spec.version === definition.version,
    `feature set ${spec.name} v${String(spec.version)} is not what this worker computes (v${definition.version}); run the same emovox version on client and workers`,
  );
  let mine: FeatureSpec;
  try {
    mine = featureSpec(spec.name, spec.params as Record<string, JsonValue>);
  } catch (error) {
    throw new JobRefused(`spec refused: ${errorMessage(error)}`);
  }
  need(
    canonicalJson(mine) === canonicalJson(spec),
    `spec of ${spec.name} resolves differently on this worker (another emovox version, or a model file that differs here)`,
  );
  return mine;
}

/**
 * Checks a job payload as received from Redis (anyone who can write to the queue can put
 * anything there): the layout version, the kind, item indices and paths, and the kind's own
 * fields. Feature specs are recomputed from the registry ({@link checkJobSpec}); recipes are
 * checked by the worker's recipe resolver before a trial starts.
 *
 * @param kind - the queue the job came from.
 * @param data - the payload.
 * @throws JobRefused naming what is wrong.
 */
export function checkJob(kind: JobKind, data: unknown): QueueJob {
  need(isRecord(data), 'payload is not an object');
  need(
    data.v === 1,
    `payload version ${String(data.v)} is not 1 (client and worker run different emovox versions)`,
  );
  need(data.kind === kind, `payload of kind ${String(data.kind)} on the ${kind} queue`);
  need(typeof data.runId === 'string' && RUN_ID.test(data.runId), 'bad run id');
  need(Number.isInteger(data.chunk) && (data.chunk as number) >= 0, 'bad chunk number');
  const base = { v: 1 as const, runId: data.runId, chunk: data.chunk as number };
  switch (kind) {
    case 'features': {
      const limits = data.limits;
      need(isRecord(limits), 'features job without limits');
      need(typeof limits.maxFileBytes === 'number' && limits.maxFileBytes > 0, 'bad maxFileBytes');
      need(typeof limits.strict === 'boolean', 'bad strict flag');
      const cache = data.cache;
      need(cache === null || cache === false || (typeof cache === 'string' && cache.length > 0), 'bad cache');
      return {
        ...base,
        kind,
        items: checkItems(data.items, true),
        spec: checkJobSpec(data.spec),
        limits: {
          maxFileBytes: limits.maxFileBytes,
          maxDuration: finiteOrNull(limits.maxDuration, 'maxDuration'),
          strict: limits.strict,
        },
        cache,
      };
    }
    case 'predict': {
      const model = data.model;
      need(isRecord(model), 'predict job without model');
      need(typeof model.sha256 === 'string' && /^[0-9a-f]{64}$/.test(model.sha256), 'bad model sha256');
      need(
        (typeof model.name === 'string') !== (typeof model.path === 'string'),
        'model needs exactly one of name and path',
      );
      const timeline = data.timeline;
      if (timeline !== undefined) {
        need(isRecord(timeline), 'bad timeline options');
        for (const k of ['window', 'hop', 'smoothing'])
          need(
            timeline[k] === undefined || (typeof timeline[k] === 'number' && Number.isFinite(timeline[k])),
            `bad timeline ${k}`,
          );
        need(
          timeline.vad === undefined || ['silero', 'energy', 'none'].includes(timeline.vad as string),
          'bad vad',
        );
      }
      return {
        ...base,
        kind,
        items: checkItems(data.items, true),
        model: {
          ...(typeof model.name === 'string' ? { name: model.name } : { path: model.path as string }),
          sha256: model.sha256,
        },
        maxDuration: finiteOrNull(data.maxDuration, 'maxDuration'),
        ...(timeline ? { timeline: timeline } : {}),
      };
    }
    case 'tune': {
      need(isRecord(data.recipe), 'tune job without a recipe');
      need(typeof data.recipeName === 'string', 'tune job without a recipe name');
      need(typeof data.out === 'string' && data.out.startsWith('/'), 'tune job needs an absolute run folder');
      need(typeof data.winner === 'boolean', 'bad winner flag');
      need(
        data.folds === undefined ||
          (Array.isArray(data.folds) && data.folds.every((f) => Number.isInteger(f) && f >= 1)),
        'bad folds',
      );
      need(data.command === undefined || typeof data.command === 'string', 'bad command');
      const items = checkItems(data.items, false);
      need(items.length === 1, 'a tune job runs exactly one trial');
      return {
        ...base,
        kind,
        items,
        recipe: data.recipe,
        recipeName: data.recipeName,
        out: data.out,
        winner: data.winner,
        ...(data.folds ? { folds: data.folds as number[] } : {}),
        ...(data.command !== undefined ? { command: data.command } : {}),
      };
    }
    case 'ping':
      return { ...base, kind, items: checkItems(data.items, false) };
  }
}

/** `null` for no limit (JSON has no Infinity), else the number. */
export function limitToJson(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** The inverse of {@link limitToJson}. */
export function limitFromJson(x: number | null): number {
  return x === null ? Infinity : x;
}
