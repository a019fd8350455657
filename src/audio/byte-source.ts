// Random access to bytes already in memory, and the chunk-id helper the container parsers share.
// No Node API: the WAV, AIFF and FLAC parsers import this, so the browser entry can reuse them
// (bytes.ts adds the file and stream sources, which need Node).

/**
 * Random access to an input's bytes without loading all of them: header parsers read only
 * what they need, and PCM readers read only the frames asked for. `read` never returns more
 * than the bytes that exist, so a header's claimed sizes can never drive an allocation.
 */
export interface ByteSource {
  /** Name used in error messages (the path, or `<buffer>` / `<stream>`). */
  readonly name: string;
  /** Actual size in bytes. */
  readonly size: number;
  /** Up to `length` bytes from `offset` (fewer at the end of the input, empty past it). */
  read(offset: number, length: number): Uint8Array;
  /** All bytes (reads the whole file for path sources). */
  readAll(): Uint8Array;
  close(): void;
}

/** A ByteSource over bytes already in memory. */
export function memoryByteSource(bytes: Uint8Array, name: string): ByteSource {
  return {
    name,
    size: bytes.length,
    read(offset, length) {
      const start = Math.min(Math.max(0, offset), bytes.length);
      return bytes.subarray(start, Math.min(bytes.length, start + Math.max(0, length)));
    },
    readAll: () => bytes,
    close() {},
  };
}

/** Four bytes as latin1 text (chunk ids). */
export function fourCC(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}
