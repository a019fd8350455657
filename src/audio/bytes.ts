import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileKind } from '../util/atomic-file.js';
import { EmovoxInputError } from '../util/errors.js';
import { memoryByteSource, type ByteSource } from './byte-source.js';

export { fourCC, memoryByteSource, type ByteSource } from './byte-source.js';

/** What {@link loadAudio} and {@link readAudioInfo} accept: a file path, the file's bytes, or a Node stream. */
export type AudioSource = string | Uint8Array | Readable;

/**
 * A ByteSource over a file, read on demand with positioned reads. Only regular files are audio:
 * a FIFO, a device (`/dev/zero`, `/dev/stdin`), a socket or a folder is refused before it is
 * read (opening a FIFO without a writer would block forever, a device never ends).
 */
export function fileByteSource(path: string): ByteSource {
  let fd: number;
  try {
    const before = statSync(path);
    if (!before.isFile()) {
      throw new EmovoxInputError(
        path,
        `is ${fileKind(before)}, not a regular file; only regular files are read as audio`,
      );
    }
    // O_NONBLOCK: should the path be swapped for a FIFO after the check, open still returns.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (error instanceof EmovoxInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'ELOOP'
            ? 'too many levels of symbolic links'
            : `cannot open (${code ?? (error as Error).message})`;
    throw new EmovoxInputError(path, problem, { cause: error });
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new EmovoxInputError(
      path,
      `is ${fileKind(stat)}, not a regular file; only regular files are read as audio`,
    );
  }
  const size = stat.size;
  let open = true;
  const read = (offset: number, length: number): Uint8Array => {
    const start = Math.min(Math.max(0, offset), size);
    const count = Math.min(size - start, Math.max(0, length));
    const out = Buffer.allocUnsafe(count);
    let done = 0;
    while (done < count) {
      const n = readSync(fd, out, done, count - done, start + done);
      if (n === 0) break;
      done += n;
    }
    return done === count ? out : out.subarray(0, done);
  };
  return {
    name: path,
    size,
    read,
    readAll: () => read(0, size),
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** Collects a Readable stream into one buffer. */
export async function readStream(stream: Readable, name: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
    }
  } catch (error) {
    throw new EmovoxInputError(name, `stream failed: ${(error as Error).message}`, { cause: error });
  }
  return Buffer.concat(chunks);
}

/** Opens any {@link AudioSource} as a ByteSource (streams are read to their end first). */
export async function openSource(source: AudioSource, name?: string): Promise<ByteSource> {
  if (typeof source === 'string') return fileByteSource(source);
  if (source instanceof Uint8Array) return memoryByteSource(source, name ?? '<buffer>');
  if (source && typeof (source as Readable)[Symbol.asyncIterator] === 'function') {
    const label = name ?? '<stream>';
    return memoryByteSource(await readStream(source, label), label);
  }
  throw new EmovoxInputError(
    name ?? String(source),
    'not an audio source (expected a path, bytes or a Readable)',
  );
}
