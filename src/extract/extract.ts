import '../dsp/pffft-node.js'; // the pipeline (and its workers) run in Node: PFFFT from the package
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { loadAudio } from '../audio/index.js';
import {
  checkFeatureSpec,
  featureFunction,
  type FeatureFunction,
  type FeatureSpec,
} from '../features/sets.js';
import type { FeatureValue } from '../features/value.js';
import { fileKind } from '../util/atomic-file.js';
import { EmovoxInputError, EmovoxParameterError, errorMessage } from '../util/errors.js';
import { FeatureCache } from './cache.js';
import { featureSpecHash, sha256Hex } from './spec-hash.js';
import { ExtractionPool, poolParts } from './extraction-pool.js';
// Registers the Node-only ONNX encoder sets (encoder, encoder-frames, speaker-embedding) here, so
// every process and worker that extracts knows them.
import '../encoders/sets.js';

/** One input: a file path, or a path with the id to report it under (default: the path). */
export type ExtractItem = string | { readonly path: string; readonly id?: string };

/** Features of one file that succeeded. */
export interface ExtractedFeatures {
  /** Position in the input list. */
  readonly index: number;
  readonly id: string;
  readonly source: string;
  readonly value: FeatureValue;
  /** True when the value came from the cache (no decode, no compute). */
  readonly cached: boolean;
  /** Non-fatal problems of this file (truncated audio read as far as it goes, a bad cache entry recomputed). */
  readonly warnings: readonly string[];
}

/** One file that failed; the batch carries on without it. */
export interface ExtractFailure {
  readonly index: number;
  readonly id: string;
  readonly source: string;
  readonly problem: string;
}

/** Progress after each finished file. */
export interface ExtractProgress {
  readonly done: number;
  readonly total: number;
  readonly failed: number;
  readonly cacheHits: number;
  /** The file just finished. */
  readonly source: string;
}

/** Options of {@link extractFeatures}. */
export interface ExtractOptions {
  /**
   * Worker threads; default `os.availableParallelism()`. Capped at the available cores (more
   * threads than cores only cost memory and time; the cap is reported in `notes`) and at the
   * item count. `0` runs everything on the calling thread (no workers).
   */
  readonly workers?: number;
  /**
   * Worker threads started ahead and kept by the caller (see {@link ExtractionPool}): the call
   * queues its files there instead of starting threads of its own, and leaves the pool open.
   * `workers`, when also given, must equal the pool's size. Default: none (the call starts
   * `workers` threads and stops them when it ends).
   */
  readonly pool?: ExtractionPool;
  /**
   * The feature cache: a {@link FeatureCache}, a folder path, or `false` for none. Default: a
   * cache at {@link defaultFeatureCacheDir}.
   */
  readonly cache?: FeatureCache | string | false;
  /** Called after each file, in completion order. */
  readonly onProgress?: (progress: ExtractProgress) => void;
  /**
   * Per-file limit in seconds with workers (decode + features); past it the worker is terminated
   * and the file reported as failed. Default 600. Not applied when `workers` is 0.
   */
  readonly timeoutS?: number;
  /** Files larger than this many bytes are reported as failed without being read. Default {@link MAX_FILE_BYTES}. */
  readonly maxFileBytes?: number;
  /**
   * Longest audio accepted, in seconds; longer files fail before they are decoded (the duration
   * comes from the header), so one long recording cannot take minutes and gigabytes. Default
   * {@link MAX_DURATION_S} (30 min). `Infinity` removes the limit.
   */
  readonly maxDuration?: number;
  /** Truncated audio (a header or stream that promises more than the file holds) fails instead of being read as far as it goes with a warning. Default false. */
  readonly strict?: boolean;
}

/**
 * Default size limit of one input file: 512 MiB (about 4.4 hours of 16-bit 16 kHz mono). The
 * feature matrices of longer files would need several GB; split such recordings first.
 */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

/**
 * Default longest audio {@link extractFeatures} decodes: 1800 s (30 min). Measured on the
 * shared 2-core development machine (`emovox features` on one 30-minute 16 kHz WAV, one thread):
 * `mfcc40` 5.5 s and 0.28 GB peak RSS, `prosodic` 85 s and 1.5 GB; speech-emotion utterances
 * are seconds long. Raise it (or pass `Infinity`) for long recordings.
 */
export const MAX_DURATION_S = 1800;

/** What {@link extractFeatures} returns. */
export interface ExtractResult {
  readonly spec: FeatureSpec;
  /** Successful files, in input order. */
  readonly results: ExtractedFeatures[];
  /** Failed files, in input order. */
  readonly failures: ExtractFailure[];
  /** Run-level notes (e.g. the worker count was capped at the available cores). */
  readonly notes: string[];
  readonly stats: {
    readonly total: number;
    readonly extracted: number;
    readonly failed: number;
    /** Files served from the cache. */
    readonly cacheHits: number;
    /** Files looked up in the cache and computed (0 without a cache). */
    readonly cacheMisses: number;
    readonly workers: number;
    /** Wall-clock milliseconds. */
    readonly elapsedMs: number;
  };
}

/** Outcome of {@link extractOne}. */
export interface ExtractOneResult {
  readonly value: FeatureValue;
  readonly cached: boolean;
  /** sha256 of the file's bytes (the cache key's file half). */
  readonly fileHash: string;
  /** Non-fatal problems (truncated audio read as far as it goes, a bad cache entry recomputed). */
  readonly warnings: string[];
}

/** Per-file limits and policies of {@link extractOne}. */
export interface ExtractOneOptions {
  /** Default {@link MAX_FILE_BYTES}. */
  readonly maxFileBytes?: number;
  /** Seconds; default {@link MAX_DURATION_S}. */
  readonly maxDuration?: number;
  /** Default false. */
  readonly strict?: boolean;
}

function checkFinite(source: string, value: FeatureValue): void {
  const data = value.matrix?.data ?? value.vector;
  if (!data || data.length === 0) throw new EmovoxInputError(source, 'feature set returned no values');
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new EmovoxInputError(source, `feature value ${i} is not finite`);
  }
}

const functionMemo = new Map<string, FeatureFunction>();

function memoisedFunction(spec: FeatureSpec, specHash: string): FeatureFunction {
  let fn = functionMemo.get(specHash);
  if (!fn) {
    fn = featureFunction(spec);
    functionMemo.set(specHash, fn);
  }
  return fn;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/**
 * Extracts `spec`'s features from one audio file on the calling thread: reads the bytes, looks
 * them up in `cache` (sha256 of bytes + spec hash), otherwise decodes the file at
 * `spec.params.sampleRate` Hz mono, computes, and stores the value.
 *
 * @param source - audio file path (a regular file: FIFOs and devices are refused unread).
 * @param spec - the feature spec (see `featureSpec`).
 * @param cache - optional cache; a damaged entry is recomputed, rewritten and reported in `warnings`.
 * @param limits - `maxFileBytes` (default {@link MAX_FILE_BYTES}), `maxDuration` in seconds
 *   (default {@link MAX_DURATION_S}), `strict` (default false); a number is taken as `maxFileBytes`.
 * @throws EmovoxInputError when the file cannot be read or decoded, is too large or too long, or
 *   its features are not finite.
 */
export async function extractOne(
  source: string,
  spec: FeatureSpec,
  cache?: FeatureCache,
  limits: ExtractOneOptions | number = {},
): Promise<ExtractOneResult> {
  const options = typeof limits === 'number' ? { maxFileBytes: limits } : limits;
  const maxFileBytes = options.maxFileBytes ?? MAX_FILE_BYTES;
  const specHash = featureSpecHash(spec);
  const warnings: string[] = [];
  let bytes: Buffer;
  try {
    // Synchronous stat and read: fs/promises costs several thread-pool round trips per file,
    // 15-20 % of the CPU time of a fast feature set (mfcc40) over short clips.
    const stats = statSync(source);
    if (!stats.isFile()) {
      throw new EmovoxInputError(
        source,
        `is ${fileKind(stats)}, not a regular file; only regular files are read as audio`,
      );
    }
    if (stats.size > maxFileBytes) {
      throw new EmovoxInputError(
        source,
        `file is ${mib(stats.size)}, above the ${mib(maxFileBytes)} limit (maxFileBytes)`,
      );
    }
    bytes = readFileSync(source);
  } catch (error) {
    if (error instanceof EmovoxInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new EmovoxInputError(
      source,
      code === 'ENOENT' ? 'file not found' : `cannot read file (${errorMessage(error)})`,
      { cause: error },
    );
  }
  const fileHash = sha256Hex(bytes);
  const hit = cache?.get(fileHash, specHash, (problem) => warnings.push(problem));
  if (hit) return { value: hit.value, cached: true, fileHash, warnings: [...hit.warnings, ...warnings] };
  const fn = memoisedFunction(spec, specHash);
  const quality = spec.params.resampleQuality;
  const audio = await loadAudio(bytes, {
    sr: spec.params.sampleRate,
    mono: true,
    name: source,
    resampleQuality: quality === 'low' || quality === 'medium' ? quality : 'high',
    strict: options.strict ?? false,
    maxDuration: options.maxDuration ?? MAX_DURATION_S,
  });
  if (audio.samples.length === 0) {
    throw new EmovoxInputError(source, 'no audio: the file holds no complete sample frame');
  }
  let value: FeatureValue;
  try {
    value = await fn(audio.samples, audio.sampleRate);
  } catch (error) {
    if (error instanceof EmovoxInputError)
      throw new EmovoxInputError(source, error.problem, { cause: error });
    throw new EmovoxInputError(source, `feature extraction failed (${errorMessage(error)})`, {
      cause: error,
    });
  }
  checkFinite(source, value);
  cache?.set(fileHash, specHash, value, audio.warnings);
  return { value, cached: false, fileHash, warnings: [...audio.warnings, ...warnings] };
}

function itemPath(item: ExtractItem): string {
  return typeof item === 'string' ? item : item.path;
}

function itemId(item: ExtractItem): string {
  return typeof item === 'string' ? item : (item.id ?? item.path);
}

function problemOf(source: string, error: unknown): string {
  if (error instanceof EmovoxInputError) return error.problem;
  const message = errorMessage(error);
  return message.startsWith(`${source}: `) ? message.slice(source.length + 2) : message;
}

function positive(name: string, value: number): number {
  if (!(value > 0)) throw new EmovoxParameterError(name, `must be > 0, got ${value}`);
  return value;
}

/**
 * Extracts one feature set from many audio files on all cores, with a content-addressed cache.
 * One bad file is reported in `failures` and skipped; it never loses the batch. The whole spec
 * and every option are checked before any file is read (`checkFeatureSpec`).
 *
 * @param items - file paths, or `{ path, id }`.
 * @param spec - the feature spec (see `featureSpec(name, overrides)`).
 * @param options - workers (default all cores, capped at them; 0 = calling thread) or a
 *   caller's `pool` of started workers, cache
 *   (default on), limits (`maxFileBytes`, `maxDuration`, `timeoutS`), `strict`, onProgress.
 * @returns successes (with per-file warnings) and failures, each in input order, run notes and statistics.
 * @throws EmovoxParameterError for an invalid spec or option (a closed `pool` included), before any work.
 * @example
 * ```ts
 * import { extractFeatures, featureSpec } from 'emovox';
 *
 * const result = await extractFeatures(['a.wav', 'b.flac', 'c.mp3'], featureSpec('vector180'), { workers: 2 });
 * for (const { source, value } of result.results) console.log(source, value.vector?.length); // 180
 * for (const { source, problem } of result.failures) console.warn(`${source}: ${problem}`);
 * ```
 */
export async function extractFeatures(
  items: readonly ExtractItem[],
  spec: FeatureSpec,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  const started = performance.now();
  // Fail fast on a bad spec or option, before any worker starts or file is read.
  checkFeatureSpec(spec);
  const notes: string[] = [];
  const cores = availableParallelism();
  const requested = options.workers ?? options.pool?.workers ?? cores;
  if (!Number.isInteger(requested) || requested < 0) {
    throw new EmovoxParameterError('workers', `must be a non-negative integer, got ${requested}`);
  }
  if (options.pool?.closed) throw new EmovoxParameterError('pool', 'is closed');
  if (options.pool && requested !== options.pool.workers) {
    throw new EmovoxParameterError(
      'workers',
      `${requested} does not match the ${options.pool.workers} threads of the given pool`,
    );
  }
  if (options.pool) notes.push(...options.pool.notes);
  else if (requested > cores) {
    notes.push(`workers: ${requested} requested, capped at the ${cores} available cores`);
  }
  const workers = Math.min(requested, cores, items.length);
  const timeoutMs = positive('timeoutS', options.timeoutS ?? 600) * 1000;
  const maxFileBytes = positive('maxFileBytes', options.maxFileBytes ?? MAX_FILE_BYTES);
  const maxDuration = positive('maxDuration', options.maxDuration ?? MAX_DURATION_S);
  const strict = options.strict ?? false;
  const cache =
    options.cache === false
      ? undefined
      : options.cache instanceof FeatureCache
        ? options.cache
        : new FeatureCache(options.cache);

  const slots: (ExtractedFeatures | ExtractFailure | undefined)[] = new Array(items.length);
  const counts = { hits: 0, misses: 0, done: 0, failed: 0, corrupt: 0 };
  const finish = (
    index: number,
    outcome: { value: FeatureValue; cached: boolean; warnings: readonly string[] } | { problem: string },
  ) => {
    const item = items[index];
    const source = itemPath(item);
    const id = itemId(item);
    if ('problem' in outcome) {
      slots[index] = { index, id, source, problem: outcome.problem };
      counts.failed++;
    } else {
      const { value, cached, warnings } = outcome;
      slots[index] = { index, id, source, value, cached, warnings };
      if (cache) {
        if (cached) counts.hits++;
        else counts.misses++;
      }
    }
    counts.done++;
    options.onProgress?.({
      done: counts.done,
      total: items.length,
      failed: counts.failed,
      cacheHits: counts.hits,
      source,
    });
  };

  const limits = { maxFileBytes, maxDuration, strict };
  if (workers === 0) {
    for (let index = 0; index < items.length; index++) {
      const source = itemPath(items[index]);
      try {
        finish(index, await extractOne(source, spec, cache, limits));
      } catch (error) {
        finish(index, { problem: problemOf(source, error) });
      }
    }
  } else {
    const owned = options.pool ? undefined : new ExtractionPool(workers);
    const { threads: pool, decoder } = poolParts(options.pool ?? owned!);
    try {
      await Promise.all(
        items.map(async (item, index) => {
          const source = itemPath(item);
          try {
            const response = await pool.run(
              { index, source, spec, cacheDir: cache?.dir ?? null, ...limits },
              [],
              timeoutMs,
            );
            if (response.ok) {
              if (response.cacheCorrupt) counts.corrupt++;
              finish(index, {
                value: decoder.value(response),
                cached: response.cached,
                warnings: response.warnings,
              });
            } else finish(index, { problem: response.problem });
          } catch (error) {
            finish(index, { problem: problemOf(source, error) });
          }
        }),
      );
    } finally {
      await owned?.close();
    }
  }

  const results: ExtractedFeatures[] = [];
  const failures: ExtractFailure[] = [];
  for (const slot of slots) {
    if (slot && 'problem' in slot) failures.push(slot);
    else if (slot) results.push(slot);
  }
  if (cache && workers > 0) {
    // In-process runs counted on the instance already; worker runs count here.
    cache.counters.hits += counts.hits;
    cache.counters.misses += counts.misses;
    cache.counters.corrupt += counts.corrupt;
  }
  return {
    spec,
    results,
    failures,
    notes,
    stats: {
      total: items.length,
      extracted: results.length,
      failed: failures.length,
      cacheHits: counts.hits,
      cacheMisses: counts.misses,
      workers,
      elapsedMs: performance.now() - started,
    },
  };
}
