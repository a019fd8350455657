import { readDocument, writeDocument } from './container.js';
import type { LoopState } from './loop.js';
import { EmovoxInputError } from '../util/errors.js';

/** First 8 bytes of a training checkpoint file. */
export const CHECKPOINT_MAGIC = 'EVXCKPT1';

/** A checkpoint file: the loop state plus a fingerprint of what was being trained. */
export interface Checkpoint {
  format: 'emovox-checkpoint';
  version: 1;
  /**
   * Hash of the resolved recipe, fold and data the run was started with; resuming with anything
   * else is refused (it would not continue the same run).
   */
  fingerprint: string;
  state: LoopState;
}

/**
 * Writes a checkpoint atomically (temporary file, fsync, rename): killing the process at any
 * moment leaves the previous checkpoint or the new one, never a torn file.
 */
export function saveCheckpoint(path: string, fingerprint: string, state: LoopState): void {
  const checkpoint: Checkpoint = { format: 'emovox-checkpoint', version: 1, fingerprint, state };
  writeDocument(path, CHECKPOINT_MAGIC, checkpoint);
}

/**
 * Reads a checkpoint and checks it belongs to the run being resumed.
 * @throws EmovoxInputError(path, problem) when missing, corrupt, of another version, or written
 *   for another recipe / fold / data (fingerprint mismatch).
 */
export function loadCheckpoint(path: string, fingerprint: string): LoopState {
  const doc = readDocument(path, CHECKPOINT_MAGIC) as Partial<Checkpoint>;
  if (doc.format !== 'emovox-checkpoint' || doc.version !== 1 || !doc.state) {
    throw new EmovoxInputError(
      path,
      `unsupported checkpoint (format ${String(doc.format)}, version ${String(doc.version)})`,
    );
  }
  if (doc.fingerprint !== fingerprint) {
    throw new EmovoxInputError(
      path,
      "checkpoint was written for a different recipe, fold or data set; resume only with the run folder's own recipe",
    );
  }
  return doc.state;
}
