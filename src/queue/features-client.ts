// `emovox features --queue`: the same ExtractResult as extractFeatures, computed by workers.
import { resolve } from 'node:path';
import { BadFeatureRecord, decodeFeatureRecord } from '../extract/cache.js';
import {
  MAX_DURATION_S,
  MAX_FILE_BYTES,
  type ExtractedFeatures,
  type ExtractFailure,
  type ExtractProgress,
  type ExtractResult,
} from '../extract/extract.js';
import { checkFeatureSpec, type FeatureSpec } from '../features/sets.js';
import { EmovoxParameterError } from '../util/errors.js';
import {
  chunkIndices,
  DEFAULT_JOB_SIZE,
  runOnQueue,
  type PlannedJob,
  type QueueClientOptions,
} from './client.js';
import { limitToJson, type ItemOutcome } from './jobs.js';

/** Options of {@link extractOnQueue}. */
export interface QueueExtractOptions extends QueueClientOptions {
  /**
   * Feature cache: a folder path the workers share (passed to them as is), `false` for none, or
   * undefined for each worker's own cache (`emovox worker --cache`).
   */
  readonly cache?: string | false;
  /** As in `extractFeatures`: bytes (default 512 MiB), seconds (default 1800; Infinity = none), strict decoding (default false). */
  readonly maxFileBytes?: number;
  readonly maxDuration?: number;
  readonly strict?: boolean;
  /** Called as the workers' results arrive (`source` is empty: items finish on other machines). */
  readonly onProgress?: (progress: ExtractProgress) => void;
}

/**
 * Extracts one feature set from many files on the queue's workers and returns exactly what
 * `extractFeatures` returns for the same files (results and failures in input order, the
 * feature values bit for bit), so `writeFeatureOutput` writes the same NPY. Files are sent as
 * absolute paths, so the workers must see them under the same paths. Values travel back through
 * Redis, stored under the file's content hash; the run's state is deleted once gathered.
 *
 * @param files - audio file paths (as the client names them; results report them so).
 * @param spec - a checked feature spec.
 * @param options - queue, run id / resume, job size (default 16 files), cache, limits, progress.
 * @throws EmovoxParameterError for bad options; see `runOnQueue` for queue errors.
 */
export async function extractOnQueue(
  files: readonly string[],
  spec: FeatureSpec,
  options: QueueExtractOptions,
): Promise<ExtractResult> {
  const started = performance.now();
  checkFeatureSpec(spec);
  const maxDuration = options.maxDuration ?? MAX_DURATION_S;
  const maxFileBytes = options.maxFileBytes ?? MAX_FILE_BYTES;
  if (!(maxDuration > 0)) throw new EmovoxParameterError('maxDuration', `must be > 0, got ${maxDuration}`);
  if (!(maxFileBytes > 0)) throw new EmovoxParameterError('maxFileBytes', `must be > 0, got ${maxFileBytes}`);
  const cache = options.cache === false ? false : options.cache === undefined ? null : resolve(options.cache);
  const jobs: PlannedJob[] = chunkIndices(files.length, options.jobSize ?? DEFAULT_JOB_SIZE).map(
    (indices, chunk) => ({
      v: 1,
      kind: 'features',
      chunk,
      items: indices.map((index) => ({ index, path: resolve(files[index]) })),
      spec,
      limits: { maxFileBytes, maxDuration: limitToJson(maxDuration), strict: options.strict ?? false },
      cache,
    }),
  );
  const counts = { failed: 0, hits: 0, stored: 0 };
  const progress = () =>
    options.onProgress?.({
      done: counts.stored,
      total: files.length,
      failed: counts.failed,
      cacheHits: counts.hits,
      source: '',
    });
  const run = await runOnQueue(
    { kind: 'features', items: files.length, jobs },
    options,
    (_index, outcome) => {
      if (!outcome.ok) counts.failed++;
      else if (outcome.cached) counts.hits++;
    },
    (stored) => {
      if (stored === counts.stored) return;
      counts.stored = stored;
      progress();
    },
  );
  try {
    const hashes = [
      ...new Set(
        [...run.outcomes.values()].flatMap((o) => (o.ok && typeof o.hash === 'string' ? [o.hash] : [])),
      ),
    ];
    const values = await run.store.values(run.runId, hashes);
    const results: ExtractedFeatures[] = [];
    const failures: ExtractFailure[] = [];
    let cacheHits = 0;
    let cacheMisses = 0;
    for (let index = 0; index < files.length; index++) {
      const source = files[index];
      const outcome: ItemOutcome = run.outcomes.get(index) ?? {
        ok: false,
        by: '',
        problem: 'no result came back from the queue',
      };
      if (!outcome.ok) {
        failures.push({ index, id: source, source, problem: outcome.problem });
        continue;
      }
      const bytes = outcome.hash ? values.get(outcome.hash) : undefined;
      if (!bytes) {
        failures.push({ index, id: source, source, problem: 'its feature value is missing from the queue' });
        continue;
      }
      let value;
      try {
        value = decodeFeatureRecord(bytes).value;
      } catch (error) {
        const why = error instanceof BadFeatureRecord ? error.message : String(error);
        failures.push({
          index,
          id: source,
          source,
          problem: `its feature value came back damaged from the queue (${why})`,
        });
        continue;
      }
      const cached = outcome.cached === true;
      if (cache !== false) {
        if (cached) cacheHits++;
        else cacheMisses++;
      }
      results.push({ index, id: source, source, value, cached, warnings: outcome.warnings ?? [] });
    }
    const notes: string[] = [];
    if (run.repeated > 0)
      notes.push(
        `queue: ${run.repeated} file${run.repeated === 1 ? ' was' : 's were'} extracted again after a worker stopped mid-job; each is counted once`,
      );
    await run.finish();
    return {
      spec,
      results,
      failures,
      notes,
      stats: {
        total: files.length,
        extracted: results.length,
        failed: failures.length,
        cacheHits,
        cacheMisses,
        workers: run.workers.length,
        elapsedMs: performance.now() - started,
      },
    };
  } catch (error) {
    await run.close();
    throw error;
  }
}
