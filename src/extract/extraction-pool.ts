import { availableParallelism } from 'node:os';
import { EmovoxParameterError } from '../util/errors.js';
import { ResponseDecoder } from './response-value.js';
import { WorkerPool, workerScript } from './worker-pool.js';
import type { ExtractRequest, ExtractResponse } from './worker.js';

/** What `extractFeatures` needs of a pool; kept off the class so it is not part of the API. */
export interface PoolParts {
  /** The threads; `extractFeatures` queues its files here. */
  readonly threads: WorkerPool<ExtractRequest, ExtractResponse>;
  /** Column names of each thread's last reply; one decoder per pool, shared by its calls. */
  readonly decoder: ResponseDecoder;
}

const parts = new WeakMap<ExtractionPool, PoolParts>();

/** The threads and reply decoder of `pool` (for `extractFeatures`). */
export function poolParts(pool: ExtractionPool): PoolParts {
  return parts.get(pool)!;
}

/**
 * Extraction worker threads that outlive one `extractFeatures` call. A worker thread takes
 * ~0.1 s of CPU to start (Node's bootstrap, then the extraction bundle); a pool started before
 * the inputs are known starts while the caller checks its options and walks its folders, and
 * one pool serves any number of calls and feature sets (pass it as `extractFeatures`'
 * `pool` option). Calls may share a pool at once; their files queue in turn. The owner closes it.
 *
 * @example
 * ```ts
 * import { ExtractionPool, extractFeatures, featureSpec } from 'emovox';
 *
 * const files = ['a.wav', 'b.flac'];
 * const pool = new ExtractionPool(); // all cores, started now
 * try {
 *   const mfcc = await extractFeatures(files, featureSpec('mfcc40'), { pool });
 *   const vectors = await extractFeatures(files, featureSpec('vector180'), { pool });
 *   console.log(mfcc.results.length, vectors.results.length);
 * } finally {
 *   await pool.close();
 * }
 * ```
 */
export class ExtractionPool {
  /** Worker threads in the pool (the requested count, capped at the available cores). */
  readonly workers: number;
  /** Why the count differs from the request, if it does. */
  readonly notes: readonly string[];

  /**
   * Starts the threads now; they wait for files.
   *
   * @param workers - worker threads, an integer >= 1; default `os.availableParallelism()`.
   *   Capped at the available cores (more threads than cores only cost memory and time).
   * @throws EmovoxParameterError for a count that is not an integer >= 1.
   */
  constructor(workers: number = availableParallelism()) {
    if (!Number.isInteger(workers) || workers < 1) {
      throw new EmovoxParameterError('workers', `an extraction pool needs an integer >= 1, got ${workers}`);
    }
    const cores = availableParallelism();
    this.workers = Math.min(workers, cores);
    this.notes =
      workers > cores ? [`workers: ${workers} requested, capped at the ${cores} available cores`] : [];
    // Two files in flight per worker: a worker that posts a reply finds its next file waiting
    // instead of idling until the main thread is scheduled (see WorkerPoolOptions.inFlight).
    parts.set(this, {
      threads: new WorkerPool(workerScript(import.meta.url, './worker'), this.workers, { inFlight: 2 }),
      decoder: new ResponseDecoder(),
    });
  }

  private isClosed = false;

  /** True once {@link close} was called; `extractFeatures` then refuses the pool. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Terminates the threads; files still queued or running fail with "worker pool closed". */
  close(): Promise<void> {
    this.isClosed = true;
    return poolParts(this).threads.close();
  }
}
