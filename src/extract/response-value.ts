import type { FeatureValue } from '../features/value.js';
import type { ExtractResponse } from './worker.js';

/**
 * Turns the replies of extraction workers (`./worker.ts`) back into feature values. A worker
 * sends a set's column names only when they differ from the last names it sent and otherwise
 * says `namesAsBefore`, so the decoder remembers the last names of each worker thread. Replies
 * of one worker arrive in the order it sent them; use one decoder per worker pool.
 */
export class ResponseDecoder {
  private readonly namesByThread = new Map<number, readonly string[] | undefined>();

  /**
   * @param response - a successful reply.
   * @returns the value: a frames x bins matrix or a vector, with the column names.
   */
  value(response: Extract<ExtractResponse, { ok: true }>): FeatureValue {
    const names = response.namesAsBefore ? this.namesByThread.get(response.thread) : response.names;
    this.namesByThread.set(response.thread, names);
    return response.kind === 'matrix'
      ? { matrix: { data: response.data, frames: response.frames, bins: response.bins }, names }
      : { vector: response.data, names };
  }
}
