// Worker-thread entry of extractFeatures: one request (file + spec) in, one response out.
import { isMainThread, parentPort, threadId } from 'node:worker_threads';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import { FeatureCache } from './cache.js';
import type { FeatureSpec } from '../features/sets.js';
import { extractOne } from './extract.js';

/** Message from the pool to a worker. */
export interface ExtractRequest {
  readonly index: number;
  readonly source: string;
  readonly spec: FeatureSpec;
  /** Cache folder, or null for no cache. */
  readonly cacheDir: string | null;
  /** Size limit of the input file in bytes. */
  readonly maxFileBytes: number;
  /** Longest audio accepted, in seconds. */
  readonly maxDuration: number;
  /** Truncated audio fails instead of warning. */
  readonly strict: boolean;
}

/** Message from a worker back to the pool. */
export type ExtractResponse =
  | {
      readonly index: number;
      readonly ok: true;
      readonly kind: 'matrix' | 'vector';
      readonly data: Float32Array;
      readonly frames: number;
      readonly bins: number;
      /** Column names, sent only when they differ from the last names this worker sent. */
      readonly names?: readonly string[];
      /** The names are those this worker sent last (see `ResponseDecoder`). */
      readonly namesAsBefore: boolean;
      /** The worker's thread id, to which `namesAsBefore` refers. */
      readonly thread: number;
      readonly cached: boolean;
      /** sha256 of the file's bytes (the cache key's file half). */
      readonly fileHash: string;
      readonly warnings: readonly string[];
      /** The cache held a damaged entry for this file (recomputed). */
      readonly cacheCorrupt: boolean;
    }
  | { readonly index: number; readonly ok: false; readonly problem: string };

const caches = new Map<string, FeatureCache>();

// A set's column names (180 strings for vector180) are the same for every file: cloning them with
// each reply cost the main thread more than all the rest of its per-file work.
let lastNames: readonly string[] | undefined;

function sameNames(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function handle(
  request: ExtractRequest,
): Promise<{ response: ExtractResponse; transfer: ArrayBuffer[] }> {
  const { index, source, spec, cacheDir, maxFileBytes, maxDuration, strict } = request;
  try {
    let cache: FeatureCache | undefined;
    if (cacheDir !== null) {
      cache = caches.get(cacheDir) ?? new FeatureCache(cacheDir);
      caches.set(cacheDir, cache);
    }
    const corruptBefore = cache?.counters.corrupt ?? 0;
    const { value, cached, fileHash, warnings } = await extractOne(source, spec, cache, {
      maxFileBytes,
      maxDuration,
      strict,
    });
    const data = value.matrix?.data ?? value.vector!;
    // Copy only when the array is a view into a larger buffer: transferring must not detach more.
    const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
    const namesAsBefore = sameNames(value.names, lastNames);
    lastNames = value.names;
    const response: ExtractResponse = {
      index,
      ok: true,
      kind: value.matrix ? 'matrix' : 'vector',
      data: own,
      frames: value.matrix?.frames ?? 1,
      bins: value.matrix?.bins ?? own.length,
      names: namesAsBefore ? undefined : value.names,
      namesAsBefore,
      thread: threadId,
      cached,
      fileHash,
      warnings,
      cacheCorrupt: (cache?.counters.corrupt ?? 0) > corruptBefore,
    };
    return { response, transfer: own.buffer instanceof ArrayBuffer ? [own.buffer] : [] };
  } catch (error) {
    const problem =
      error instanceof EmovoxInputError && error.source === source ? error.problem : errorMessage(error);
    return { response: { index, ok: false, problem }, transfer: [] };
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  // The pool may hand this worker its next request early (WorkerPool inFlight 2): requests run one
  // at a time, in arrival order, so replies come back in the order the pool expects.
  let previous: Promise<void> = Promise.resolve();
  port.on('message', (request: ExtractRequest) => {
    previous = previous.then(async () => {
      const { response, transfer } = await handle(request);
      try {
        port.postMessage(response, transfer);
      } catch (error) {
        // A reply that cannot be posted must still answer its request, or the chain would stall.
        port.postMessage({ index: request.index, ok: false, problem: errorMessage(error) });
      }
    });
  });
}
