// Worker-thread entry of predictFiles: loads the model once, then one file per message.
import { isMainThread, parentPort } from 'node:worker_threads';
import { errorMessage } from '../util/errors.js';
import type { FilePrediction } from './batch.js';
import { predictOne } from './predict-one.js';
import { Recognizer } from './recognizer.js';

/** Message from predictFiles to a worker. */
export interface PredictRequest {
  readonly index: number;
  readonly file: string;
  /** Resolved bundle path. */
  readonly model: string;
  readonly maxDuration: number;
  readonly timeline?: {
    window?: number;
    hop?: number;
    vad?: 'silero' | 'energy' | 'none';
    smoothing?: number;
  };
}

/** Reply of a worker. */
export type PredictResponse =
  | { readonly index: number; readonly ok: true; readonly prediction: Omit<FilePrediction, 'file'> }
  | { readonly index: number; readonly ok: false; readonly problem: string };

if (!isMainThread && parentPort) {
  const port = parentPort;
  const recognizers = new Map<string, Promise<Recognizer>>();
  // The pool may hand this worker its next request early (WorkerPool inFlight 2): requests run one
  // at a time, in arrival order, so replies come back in the order the pool expects.
  let previous: Promise<void> = Promise.resolve();
  port.on('message', (request: PredictRequest) => {
    let r = recognizers.get(request.model);
    if (!r) {
      r = Recognizer.load(request.model);
      recognizers.set(request.model, r);
    }
    const recognizer = r;
    previous = previous
      .then(() => recognizer)
      .then((loaded) => predictOne(request, loaded))
      .catch((error: unknown): PredictResponse => ({
        index: request.index,
        ok: false,
        problem: errorMessage(error),
      }))
      .then((response) => port.postMessage(response));
  });
}
