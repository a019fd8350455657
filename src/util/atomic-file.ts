import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  lstatSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EmovoxInputError, errorMessage } from './errors.js';

// Node-only. Every output emovox writes goes through these so that a full disk, a crash or Ctrl-C
// never leaves a truncated file where a previous good one stood: the bytes go to a temporary file
// in the same folder (same file system, so rename is atomic), are fsynced, then renamed over the
// destination. A reader sees the old file or the new one, never a mix.

/** Bytes, a UTF-8 string, or chunks written in order (for large outputs assembled piecewise). */
export type AtomicData = Uint8Array | string | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** One file of a set written by {@link writeFilesAtomic}. */
export interface AtomicFile {
  /** Destination path; its folder must exist. */
  readonly path: string;
  readonly data: AtomicData;
}

const WRITE_BATCH_BYTES = 4 << 20;

// Temporary files being written by this process, so a signal handler can remove them.
const pending = new Set<string>();

/**
 * Removes the temporary files of atomic writes still in progress in this process (synchronously).
 * The CLI calls it from its SIGINT/SIGTERM handlers; programs that install their own signal
 * handlers can do the same. Returns the paths removed.
 */
export function removePendingTemporaryFiles(): string[] {
  const removed = [...pending];
  for (const temp of removed) rmSync(temp, { force: true });
  pending.clear();
  return removed;
}

function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function fsyncDirectory(directory: string): void {
  // Makes the rename itself durable; some file systems refuse to open a folder, which is harmless.
  try {
    const fd = openSync(directory, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}

/** Words for a file that is not a regular file. */
export function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'a regular file';
}

/**
 * Where an atomic write of `path` must rename to: the link's target when `path` is a symbolic
 * link (so the link keeps pointing at the new content), `path` itself otherwise.
 * @throws EmovoxInputError when `path` exists and is not a regular file (a folder, a device such
 *   as /dev/null, a FIFO): renaming over it would replace it, so it is refused.
 */
function destinationOf(path: string): string {
  let target = path;
  try {
    if (lstatSync(path).isSymbolicLink()) target = realpathSync(path);
  } catch {
    return path; // absent, or a dangling link: the rename creates the file / replaces the link
  }
  let stats: Stats;
  try {
    stats = statSync(target);
  } catch {
    return target;
  }
  if (!stats.isFile()) {
    throw new EmovoxInputError(path, `exists and is ${fileKind(stats)}, not a regular file; not replaced`);
  }
  return target;
}

function chunksOf(data: AtomicData): Iterable<Uint8Array> | AsyncIterable<Uint8Array> {
  return typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
}

function stageSync(path: string, destination: string, data: Uint8Array | string): string {
  const temp = temporaryPath(destination);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  pending.add(temp);
  try {
    const fd = openSync(temp, 'wx', 0o644);
    try {
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    rmSync(temp, { force: true });
    pending.delete(temp);
    throw new EmovoxInputError(path, `cannot write: ${errorMessage(error)}`, { cause: error });
  }
  return temp;
}

async function stage(path: string, destination: string, data: AtomicData): Promise<string> {
  const temp = temporaryPath(destination);
  pending.add(temp);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      // Each write is a thread-pool round trip: thousands of small chunks (one per padded item)
      // cost more than the copy that gathers them into a few large writes.
      let batch: Buffer | undefined;
      let filled = 0;
      const writeAll = async (bytes: Uint8Array) => {
        let offset = 0;
        while (offset < bytes.length) {
          const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
          offset += bytesWritten;
        }
      };
      for await (const chunk of chunksOf(data)) {
        if (chunk.length >= WRITE_BATCH_BYTES) {
          if (filled > 0) await writeAll(batch!.subarray(0, filled));
          filled = 0;
          await writeAll(chunk);
          continue;
        }
        batch ??= Buffer.allocUnsafe(WRITE_BATCH_BYTES);
        if (filled + chunk.length > WRITE_BATCH_BYTES) {
          await writeAll(batch.subarray(0, filled));
          filled = 0;
        }
        batch.set(chunk, filled);
        filled += chunk.length;
      }
      if (filled > 0) await writeAll(batch!.subarray(0, filled));
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    rmSync(temp, { force: true });
    pending.delete(temp);
    throw new EmovoxInputError(path, `cannot write: ${errorMessage(error)}`, { cause: error });
  }
  return temp;
}

/** Renames staged files into place, in order, synchronously (no signal handler can run in between). */
function commit(staged: { path: string; destination: string; temp: string }[]): void {
  // The last file is the set's commit mark (a sidecar, a manifest): its old version goes first, so
  // a crash in the middle of the renames leaves a set without its mark, never new data described
  // by an old mark.
  const last = staged[staged.length - 1];
  if (staged.length > 1) rmSync(last.destination, { force: true });
  for (let i = 0; i < staged.length; i++) {
    const { path, destination, temp } = staged[i];
    try {
      renameSync(temp, destination);
      pending.delete(temp);
    } catch (error) {
      for (const rest of staged.slice(i)) {
        rmSync(rest.temp, { force: true });
        pending.delete(rest.temp);
      }
      throw new EmovoxInputError(path, `cannot write: ${errorMessage(error)}`, { cause: error });
    }
  }
  for (const directory of new Set(staged.map((s) => dirname(s.destination)))) fsyncDirectory(directory);
}

function discard(staged: { temp: string }[]): void {
  for (const { temp } of staged) {
    rmSync(temp, { force: true });
    pending.delete(temp);
  }
}

/**
 * Writes `data` to `path` atomically (temporary file in the same folder, fsync, rename). A
 * symbolic link at `path` is followed: its target is replaced and the link kept.
 * @param path - destination file; its folder must exist.
 * @param data - bytes, or a string written as UTF-8.
 * @throws EmovoxInputError(path, problem) when anything fails (ENOSPC, EACCES...) or when `path`
 *   exists and is not a regular file; the previous content of `path`, if any, is left untouched
 *   and the temporary file is removed.
 */
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  writeFilesAtomicSync([{ path, data }]);
}

/**
 * Asynchronous {@link writeFileAtomicSync}: `data` is one buffer or a sequence of chunks written in
 * order (for large outputs assembled piecewise, never joined in memory).
 * @throws EmovoxInputError(path, problem); the previous content of `path` stays intact.
 */
export async function writeFileAtomic(path: string, data: AtomicData): Promise<void> {
  await writeFilesAtomic([{ path, data }]);
}

/**
 * Writes a set of files that belong together (an array and its sidecar, a model's weights and
 * its manifest, a run folder's results and its summary) so that a reader never sees a mix of
 * old and new: every file is first written in full to a temporary file beside its destination
 * and fsynced; only when all of them are written are they renamed into place, in the given
 * order, **the last file last** (the "commit" file that describes the others; its old version
 * is removed before the first rename). Any failure while writing (full disk, permissions, a
 * chunk source that throws) removes the temporary files and leaves every previous output as it
 * was; a crash during the renames can leave new files without the commit file, never an old
 * commit file beside new data.
 *
 * @param files - destinations with their content, commit file last; folders must exist.
 * @throws EmovoxInputError(path, problem) naming the file that failed.
 */
export async function writeFilesAtomic(files: readonly AtomicFile[]): Promise<void> {
  const staged: { path: string; destination: string; temp: string }[] = [];
  try {
    for (const { path, data } of files) {
      const destination = destinationOf(path);
      staged.push({ path, destination, temp: await stage(path, destination, data) });
    }
  } catch (error) {
    discard(staged);
    if (error instanceof EmovoxInputError) throw error;
    throw new EmovoxInputError(
      files[staged.length]?.path ?? '<output>',
      `cannot write: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
  if (staged.length > 0) commit(staged);
}

/** Synchronous {@link writeFilesAtomic} for data already in memory. */
export function writeFilesAtomicSync(files: readonly { path: string; data: Uint8Array | string }[]): void {
  const staged: { path: string; destination: string; temp: string }[] = [];
  try {
    for (const { path, data } of files) {
      const destination = destinationOf(path);
      staged.push({ path, destination, temp: stageSync(path, destination, data) });
    }
  } catch (error) {
    discard(staged);
    throw error;
  }
  if (staged.length > 0) commit(staged);
}
