import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-file.js';

/** Element types emovox writes to NPY: little-endian float32 and int32. */
export type NpyDtype = '<f4' | '<i4';

/** A typed array with its NPY shape (C order: last axis fastest). */
export interface NpyArray {
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

/** The parsed header of an NPY file. */
export interface NpyHeader {
  /** Format version, `[major, minor]`; emovox writes 1.0 (2.0 only past 64 KiB headers). */
  readonly version: readonly [number, number];
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  /** Byte offset of the first data value (header length included; a multiple of 64). */
  readonly dataOffset: number;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

function shapeLiteral(shape: readonly number[]): string {
  // Python tuple syntax: a 1-tuple needs its trailing comma.
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function checkShape(shape: readonly number[], length: number): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0)
      throw new RangeError(`NPY shape has a bad dimension: ${shapeLiteral(shape)}`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== length)
    throw new RangeError(`NPY shape ${shapeLiteral(shape)} needs ${count} values, got ${length}`);
}

/**
 * The NPY header (magic, version, header length, dict, padding) for an array of `shape` and
 * `dtype`, as written by `numpy.save`: format 1.0, C order, data start aligned to 64 bytes.
 *
 * @param dtype - `'<f4'` (float32) or `'<i4'` (int32), little-endian.
 * @param shape - dimensions, C order.
 */
export function npyHeader(dtype: NpyDtype, shape: readonly number[]): Buffer {
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeLiteral(shape)}, }`;
  // 10 bytes of preamble in v1.0 (magic 6 + version 2 + uint16 length 2), v2.0 uses a uint32 length.
  let preamble = 10;
  let total = Math.ceil((preamble + dict.length + 1) / 64) * 64;
  let major = 1;
  if (total - preamble > 0xffff) {
    major = 2;
    preamble = 12;
    total = Math.ceil((preamble + dict.length + 1) / 64) * 64;
  }
  const header = Buffer.alloc(total, 0x20);
  MAGIC.copy(header, 0);
  header[6] = major;
  header[7] = 0;
  if (major === 1) header.writeUInt16LE(total - preamble, 8);
  else header.writeUInt32LE(total - preamble, 8);
  header.write(dict, preamble, 'latin1');
  header[total - 1] = 0x0a;
  return header;
}

function littleEndianBytes(data: Float32Array | Int32Array): Buffer {
  // Every platform Node supports in practice is little-endian; the typed array's bytes are the payload.
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Encodes `array` as a complete NPY file in memory.
 *
 * @param array - values (C order) with their dtype and shape; the value count must match the shape.
 * @returns header + data bytes, loadable with `numpy.load`.
 */
export function encodeNpy(array: NpyArray): Buffer {
  checkShape(array.shape, array.data.length);
  return Buffer.concat([npyHeader(array.dtype, array.shape), littleEndianBytes(array.data)]);
}

/**
 * The bytes of an NPY file as a sequence of buffers (header, then each chunk's values), for
 * writers that stream them ({@link writeNpy}, `writeFilesAtomic`) without joining the data.
 *
 * @param dtype - `'<f4'` or `'<i4'`.
 * @param shape - full array shape; the chunks' total length must equal its product.
 * @param chunks - the values in C order.
 * @throws RangeError / TypeError (before yielding anything) for a shape or chunk type mismatch.
 */
export function npyFileChunks(
  dtype: NpyDtype,
  shape: readonly number[],
  chunks: Iterable<Float32Array | Int32Array>,
): Uint8Array[] {
  const list = [...chunks];
  checkShape(
    shape,
    list.reduce((n, c) => n + c.length, 0),
  );
  for (const c of list) {
    if ((dtype === '<f4') !== c instanceof Float32Array)
      throw new TypeError(`NPY chunk type does not match ${dtype}`);
  }
  return [npyHeader(dtype, shape), ...list.filter((c) => c.length > 0).map(littleEndianBytes)];
}

/**
 * Writes an NPY file from one or more chunks of C-ordered values, without joining them in memory
 * (a padded corpus tensor can be hundreds of MB). The write is atomic (`writeFileAtomic`): on a
 * full disk or an interrupted run the previous file at `path` stays as it was.
 *
 * @param path - output file, replaced atomically.
 * @param dtype - `'<f4'` or `'<i4'`.
 * @param shape - full array shape; the chunks' total length must equal its product.
 * @param chunks - the values in order (for a 3-D padded tensor: one chunk per padded item).
 * @throws EmovoxInputError(path, problem) when the file cannot be written.
 */
export async function writeNpy(
  path: string,
  dtype: NpyDtype,
  shape: readonly number[],
  chunks: Iterable<Float32Array | Int32Array>,
): Promise<void> {
  await writeFileAtomic(path, npyFileChunks(dtype, shape, chunks));
}

/**
 * Parses the header of an NPY file (versions 1.0, 2.0 and 3.0).
 *
 * @param bytes - the file's bytes (at least the header).
 * @throws Error when the magic, version or dictionary is not valid NPY.
 */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) throw new Error('not an NPY file (bad magic)');
  const major = buf[6];
  const minor = buf[7];
  let preamble: number;
  let length: number;
  if (major === 1) {
    preamble = 10;
    length = buf.readUInt16LE(8);
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new Error('truncated NPY header');
    preamble = 12;
    length = buf.readUInt32LE(8);
  } else {
    throw new Error(`unsupported NPY version ${major}.${minor}`);
  }
  if (buf.length < preamble + length) throw new Error('truncated NPY header');
  const dict = buf.toString(major === 3 ? 'utf8' : 'latin1', preamble, preamble + length);
  const descr = /'descr':\s*'([^']+)'/.exec(dict)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(dict)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`NPY header dictionary not understood: ${dict.trim()}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number(s));
  if (shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new Error(`NPY shape not understood: (${shapeText})`);
  return {
    version: [major, minor],
    descr,
    fortranOrder: fortran === 'True',
    shape,
    dataOffset: preamble + length,
  };
}

/**
 * Decodes an NPY file of `'<f4'` or `'<i4'` values in C order (what {@link writeNpy} writes).
 *
 * @param bytes - the whole file.
 * @throws Error for other dtypes, Fortran order, or a data section of the wrong size.
 */
export function decodeNpy(bytes: Uint8Array): NpyArray {
  const header = parseNpyHeader(bytes);
  if (header.fortranOrder) throw new Error('Fortran-ordered NPY arrays are not supported');
  if (header.descr !== '<f4' && header.descr !== '<i4')
    throw new Error(`unsupported NPY dtype ${header.descr}`);
  const count = header.shape.reduce((a, b) => a * b, 1);
  const payload = bytes.subarray(header.dataOffset);
  if (payload.byteLength !== count * 4) {
    throw new Error(`NPY data has ${payload.byteLength} bytes, shape needs ${count * 4}`);
  }
  // Copy: the payload offset need not be 4-aligned within the caller's buffer.
  const copy = new Uint8Array(payload);
  const data = header.descr === '<f4' ? new Float32Array(copy.buffer) : new Int32Array(copy.buffer);
  return { dtype: header.descr, shape: header.shape, data };
}

/** Reads and decodes an NPY file from disk; see {@link decodeNpy}. */
export function readNpy(path: string): NpyArray {
  return decodeNpy(readFileSync(path));
}
