import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { loadAudio } from '../audio/index.js';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import { featureFunction, type FeatureFunction, type FeatureSpec } from '../features/sets.js';
import type { FeatureValue } from '../features/value.js';
import { FeatureCache } from './cache.js';
import { featureSpecHash, sha256Hex } from './spec-hash.js';
import { WorkerPool, workerScript } from './worker-pool.js';
import type { ExtractRequest, ExtractResponse } from './worker.js';

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
   * Worker threads; default `os.availableParallelism()`, capped at the item count. `0` runs
   * everything on the calling thread (no workers).
   */
  readonly workers?: number;
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
}

/**
 * Default size limit of one input file: 512 MiB (about 4.4 hours of 16-bit 16 kHz mono). The
 * feature matrices of longer files would need several GB; split such recordings first.
 */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

/** What {@link extractFeatures} returns. */
export interface ExtractResult {
  readonly spec: FeatureSpec;
  /** Successful files, in input order. */
  readonly results: ExtractedFeatures[];
  /** Failed files, in input order. */
  readonly failures: ExtractFailure[];
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

/**
 * Extracts `spec`'s features from one audio file on the calling thread: reads the bytes, looks
 * them up in `cache` (sha256 of bytes + spec hash), otherwise decodes the file at
 * `spec.params.sampleRate` Hz mono, computes, and stores the value.
 *
 * @param source - audio file path.
 * @param spec - the feature spec (see `featureSpec`).
 * @param cache - optional cache.
 * @param maxFileBytes - larger files fail without being read; default {@link MAX_FILE_BYTES}.
 * @throws EmovoxInputError when the file cannot be read or decoded, is too large, or its
 *   features are not finite.
 */
export async function extractOne(
  source: string,
  spec: FeatureSpec,
  cache?: FeatureCache,
  maxFileBytes: number = MAX_FILE_BYTES,
): Promise<ExtractOneResult> {
  const specHash = featureSpecHash(spec);
  let bytes: Buffer;
  try {
    const { size } = await stat(source);
    if (size > maxFileBytes) {
      throw new EmovoxInputError(
        source,
        `file is ${(size / 2 ** 20).toFixed(0)} MiB, above the ${(maxFileBytes / 2 ** 20).toFixed(0)} MiB limit (maxFileBytes)`,
      );
    }
    bytes = await readFile(source);
  } catch (error) {
    if (error instanceof EmovoxInputError) throw error;
    throw new EmovoxInputError(source, `cannot read file (${errorMessage(error)})`, { cause: error });
  }
  const fileHash = sha256Hex(bytes);
  const hit = cache?.get(fileHash, specHash);
  if (hit) return { value: hit, cached: true, fileHash };
  const fn = memoisedFunction(spec, specHash);
  const quality = spec.params.resampleQuality;
  const audio = await loadAudio(bytes, {
    sr: spec.params.sampleRate,
    mono: true,
    name: source,
    resampleQuality: quality === 'low' || quality === 'medium' ? quality : 'high',
  });
  let value: FeatureValue;
  try {
    value = fn(audio.samples, audio.sampleRate);
  } catch (error) {
    if (error instanceof EmovoxInputError)
      throw new EmovoxInputError(source, error.problem, { cause: error });
    throw new EmovoxInputError(source, `feature extraction failed (${errorMessage(error)})`, {
      cause: error,
    });
  }
  checkFinite(source, value);
  cache?.set(fileHash, specHash, value);
  return { value, cached: false, fileHash };
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

function responseValue(response: Extract<ExtractResponse, { ok: true }>): FeatureValue {
  return response.kind === 'matrix'
    ? { matrix: { data: response.data, frames: response.frames, bins: response.bins }, names: response.names }
    : { vector: response.data, names: response.names };
}

/**
 * Extracts one feature set from many audio files on all cores, with a content-addressed cache.
 * One bad file is reported in `failures` and skipped; it never loses the batch.
 *
 * @param items - file paths, or `{ path, id }`.
 * @param spec - the feature spec (see `featureSpec(name, overrides)`).
 * @param options - workers (default all cores; 0 = calling thread), cache (default on), onProgress.
 * @returns successes and failures, each in input order, with cache statistics.
 */
export async function extractFeatures(
  items: readonly ExtractItem[],
  spec: FeatureSpec,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  const started = performance.now();
  // Fail fast on a bad spec, before any worker starts.
  featureFunction(spec);
  const cache =
    options.cache === false
      ? undefined
      : options.cache instanceof FeatureCache
        ? options.cache
        : new FeatureCache(options.cache);
  const requested = options.workers ?? availableParallelism();
  if (!Number.isInteger(requested) || requested < 0) {
    throw new RangeError(`workers must be a non-negative integer, got ${requested}`);
  }
  const workers = Math.min(requested, items.length);
  const timeoutS = options.timeoutS ?? 600;
  if (!(timeoutS > 0)) throw new RangeError(`timeoutS must be > 0, got ${timeoutS}`);
  const timeoutMs = timeoutS * 1000;
  const maxFileBytes = options.maxFileBytes ?? MAX_FILE_BYTES;
  if (!(maxFileBytes > 0)) throw new RangeError(`maxFileBytes must be > 0, got ${maxFileBytes}`);

  const slots: (ExtractedFeatures | ExtractFailure | undefined)[] = new Array(items.length);
  const counts = { hits: 0, misses: 0, done: 0, failed: 0 };
  const finish = (index: number, outcome: { value: FeatureValue; cached: boolean } | { problem: string }) => {
    const item = items[index];
    const source = itemPath(item);
    const id = itemId(item);
    if ('problem' in outcome) {
      slots[index] = { index, id, source, problem: outcome.problem };
      counts.failed++;
    } else {
      slots[index] = { index, id, source, value: outcome.value, cached: outcome.cached };
      if (cache) {
        if (outcome.cached) counts.hits++;
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

  if (workers === 0) {
    for (let index = 0; index < items.length; index++) {
      const source = itemPath(items[index]);
      try {
        finish(index, await extractOne(source, spec, cache, maxFileBytes));
      } catch (error) {
        finish(index, { problem: problemOf(source, error) });
      }
    }
  } else {
    const pool = new WorkerPool<ExtractRequest, ExtractResponse>(
      workerScript(import.meta.url, './worker'),
      workers,
    );
    try {
      await Promise.all(
        items.map(async (item, index) => {
          const source = itemPath(item);
          try {
            const response = await pool.run(
              { index, source, spec, cacheDir: cache?.dir ?? null, maxFileBytes },
              [],
              timeoutMs,
            );
            if (response.ok) finish(index, { value: responseValue(response), cached: response.cached });
            else finish(index, { problem: response.problem });
          } catch (error) {
            finish(index, { problem: problemOf(source, error) });
          }
        }),
      );
    } finally {
      await pool.close();
    }
  }

  const results: ExtractedFeatures[] = [];
  const failures: ExtractFailure[] = [];
  for (const slot of slots) {
    if (slot && 'problem' in slot) failures.push(slot);
    else if (slot) results.push(slot);
  }
  if (cache) {
    // In-process runs counted on the instance already; worker runs count here.
    if (workers > 0) {
      cache.counters.hits += counts.hits;
      cache.counters.misses += counts.misses;
    }
  }
  return {
    spec,
    results,
    failures,
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
