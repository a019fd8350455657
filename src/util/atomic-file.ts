import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EmovoxInputError, errorMessage } from './errors.js';

// Node-only. Every output emovox writes goes through these so that a full disk, a crash or Ctrl-C
// never leaves a truncated file where a previous good one stood: the bytes go to a temporary file
// in the same folder (same file system, so rename is atomic), are fsynced, then renamed over the
// destination. A reader sees the old file or the new one, never a mix.

function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function fsyncDirectory(path: string): void {
  // Makes the rename itself durable; some file systems refuse to open a folder, which is harmless.
  try {
    const fd = openSync(dirname(path), 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}

/**
 * Writes `data` to `path` atomically (temporary file in the same folder, fsync, rename).
 * @param path - destination file; its folder must exist.
 * @param data - bytes, or a string written as UTF-8.
 * @throws EmovoxInputError(path, problem) when anything fails (ENOSPC, EACCES...); the previous
 *   content of `path`, if any, is left untouched and the temporary file is removed.
 */
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  const temp = temporaryPath(path);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    const fd = openSync(temp, 'wx', 0o644);
    try {
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new EmovoxInputError(path, `cannot write: ${errorMessage(error)}`, { cause: error });
  }
  fsyncDirectory(path);
}

/**
 * Asynchronous {@link writeFileAtomicSync}: `data` is one buffer or a sequence of chunks written in
 * order (for large outputs assembled piecewise).
 * @throws EmovoxInputError(path, problem); the previous content of `path` stays intact.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): Promise<void> {
  const temp = temporaryPath(path);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      const chunks =
        typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
      for await (const chunk of chunks) {
        let offset = 0;
        while (offset < chunk.length) {
          const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
          offset += bytesWritten;
        }
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new EmovoxInputError(path, `cannot write: ${errorMessage(error)}`, { cause: error });
  }
  fsyncDirectory(path);
}
