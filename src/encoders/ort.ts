// Opening user-supplied ONNX models with onnxruntime-node for the encoder feature sets. The
// runtime is imported on first use, so processes and workers that never run an encoder do not
// load it.
import { readFileSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import '../util/ort-telemetry-off.js'; // before onnxruntime-node loads: see the module
import type * as Ort from 'onnxruntime-node';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import type { ValueInfo } from './layout.js';

let runtime: Promise<typeof Ort> | undefined;

/** onnxruntime-node, loaded once. */
export function onnxRuntime(): Promise<typeof Ort> {
  runtime ??= import('onnxruntime-node');
  return runtime;
}

/** An opened model with its input and output descriptions. */
export interface OpenModel {
  session: Ort.InferenceSession;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

function describeValues(meta: readonly Ort.InferenceSession.ValueMetadata[]): ValueInfo[] {
  return meta.map((m) =>
    m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : { name: m.name, shape: [] },
  );
}

/**
 * Opens an ONNX model file. Intra-op threads default to 1 on worker threads (extraction runs one
 * worker per core) and to all cores on the main thread.
 * @throws EmovoxInputError(path, problem) when the file is missing or onnxruntime rejects it.
 */
export async function openModel(path: string, threads?: number): Promise<OpenModel> {
  const ort = await onnxRuntime();
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new EmovoxInputError(path, `cannot read model (${errorMessage(error)})`, { cause: error });
  }
  try {
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: threads ?? (isMainThread ? availableParallelism() : 1),
      interOpNumThreads: 1,
    });
    return {
      session,
      inputs: describeValues(session.inputMetadata),
      outputs: describeValues(session.outputMetadata),
    };
  } catch (error) {
    throw new EmovoxInputError(path, `onnxruntime cannot load the model: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

const hashes = new Map<string, string>();

/**
 * Hex sha256 of a file, read in 8 MiB blocks (bounded memory for large models); memoised per
 * path, size and modification time.
 * @throws EmovoxInputError(path, problem) when unreadable.
 */
export function fileSha256(path: string): string {
  let key: string;
  try {
    const s = statSync(path);
    key = `${path}\0${s.size}\0${s.mtimeMs}`;
  } catch (error) {
    throw new EmovoxInputError(path, `cannot read model (${errorMessage(error)})`, { cause: error });
  }
  const known = hashes.get(key);
  if (known) return known;
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const block = Buffer.allocUnsafe(8 << 20);
    for (let n = readSync(fd, block); n > 0; n = readSync(fd, block)) hash.update(block.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  const hex = hash.digest('hex');
  hashes.set(key, hex);
  return hex;
}
