// Reading a request body (or an uploaded file part) into memory under a size limit and a
// deadline, without trusting Content-Length and without buffering past the limit.
import type { Readable } from 'node:stream';
import { HttpProblem, megabytes } from './problem.js';

/** Thrown when the client goes away before its body arrived; nobody is left to answer. */
export class ClientGone extends Error {
  constructor() {
    super('the client closed the connection before the request body arrived');
    this.name = 'ClientGone';
  }
}

/** The 413 of a body above the limit. */
export function bodyTooLarge(bytes: number | undefined, maxBytes: number): HttpProblem {
  return new HttpProblem(
    413,
    'body_too_large',
    `${bytes === undefined ? 'the request body is' : `the request body (${megabytes(bytes)}) is`} above the limit of ${megabytes(maxBytes)} (option maxBodyBytes, CLI --max-body-mb)`,
    { connection: 'close' },
  );
}

/**
 * Reads a stream to its end into one buffer that owns its memory (transferable to a worker).
 * @param stream - the request body or a multipart file stream.
 * @param maxBytes - refuse (413) as soon as more than this many bytes arrived.
 * @param signal - aborting it (the request's deadline) rejects with the signal's reason.
 * @returns the bytes; an empty array for an empty body.
 * @throws HttpProblem 413, the signal's reason, {@link ClientGone} (closed before its end), or the
 *   stream's own error (a reset connection, a multipart parser's complaint).
 */
export function readBody(stream: Readable, maxBytes: number, signal: AbortSignal): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const finish = (error: unknown, value?: Uint8Array) => {
      if (settled) return;
      settled = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      if (error !== undefined) {
        // Stop reading: the response says why and closes the connection.
        stream.pause();
        chunks.length = 0;
        reject(error instanceof Error ? error : new Error(String(error)));
      } else resolve(value!);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) finish(bodyTooLarge(undefined, maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      const out = new Uint8Array(total);
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.length;
      }
      finish(undefined, out);
    };
    const onError = (error: Error) => finish(error);
    const onClose = () => finish(new ClientGone());
    const onAbort = () => finish(signal.reason);
    if (signal.aborted) return finish(signal.reason);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
