// Worker-thread entry of deriveAudioBatch: one (file, transform) in, the derived path out.
import { isMainThread, parentPort } from 'node:worker_threads';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import { deriveAudio, type DeriveRequest, type DeriveResponse } from './derived.js';

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on('message', (request: DeriveRequest) => {
    deriveAudio(request.path, request.transform, request.dir).then(
      (path): void => port.postMessage({ index: request.index, ok: true, path } satisfies DeriveResponse),
      (error: unknown): void =>
        port.postMessage({
          index: request.index,
          ok: false,
          problem: error instanceof EmovoxInputError ? error.message : errorMessage(error),
        } satisfies DeriveResponse),
    );
  });
}
