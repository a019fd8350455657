// The safetensors format (Hugging Face's weight files, what `safetensors.torch.save_file` writes):
// an 8-byte little-endian header length N, N bytes of JSON mapping each tensor name to its dtype,
// shape and [begin, end) byte offsets into the data that follows, then the raw little-endian
// tensor bytes. No npm reader is maintained (the `safetensors` package is a 0.0.1 placeholder), so
// this is the small reader and writer emovox needs: float tensors in, float32 out.
import { readFileSync } from 'node:fs';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import type { WeightMap } from './weights.js';

/** Element types of the format and their sizes in bytes. */
const SIZES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Largest header accepted (the format's own readers cap it at 100 MB). */
const MAX_HEADER = 100_000_000;

/** Contents of a safetensors file: every tensor as float32, and the optional `__metadata__`. */
export interface Safetensors {
  tensors: WeightMap;
  /** Each tensor's stored element type (`F32`, `F16`, `BF16`, `I64`, ...). */
  dtypes: Map<string, string>;
  metadata: Record<string, string>;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function toFloat32(bytes: Uint8Array, dtype: string, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F32') {
    // Zero-copy when aligned (typical: readFileSync of a large file is its own buffer).
    if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, count);
    return new Float32Array(bytes.slice().buffer, 0, count);
  }
  const out = new Float32Array(count);
  const bits = new Uint32Array(1);
  const bitsAsFloat = new Float32Array(bits.buffer);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case 'F64':
        out[i] = view.getFloat64(i * 8, true);
        break;
      case 'F16':
        out[i] = halfToFloat(view.getUint16(i * 2, true));
        break;
      case 'BF16':
        // bfloat16 is the top half of a float32.
        bits[0] = view.getUint16(i * 2, true) << 16;
        out[i] = bitsAsFloat[0];
        break;
      case 'I64':
        out[i] = Number(view.getBigInt64(i * 8, true));
        break;
      case 'I32':
        out[i] = view.getInt32(i * 4, true);
        break;
      case 'I16':
        out[i] = view.getInt16(i * 2, true);
        break;
      case 'I8':
        out[i] = view.getInt8(i);
        break;
      default:
        out[i] = view.getUint8(i);
    }
  }
  return out;
}

/**
 * Parses safetensors bytes. Float tensors (F64, F32, F16, BF16) and integer ones become float32
 * (F32 data is viewed without copying when 4-byte aligned).
 * @param bytes - the whole file.
 * @param source - file name for error messages.
 * @throws EmovoxInputError(source, problem) for a truncated or malformed file.
 */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors'): Safetensors {
  const fail = (problem: string): never => {
    throw new EmovoxInputError(source, `not a valid safetensors file: ${problem}`);
  };
  if (bytes.length < 8) fail('shorter than its 8-byte header length');
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > MAX_HEADER || 8 + headerLength > bytes.length)
    fail(`header length ${headerLength} exceeds the file`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<
      string,
      unknown
    >;
  } catch (error) {
    return fail(`header is not JSON (${errorMessage(error)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not an object');
  const data = bytes.subarray(8 + headerLength);
  const tensors: WeightMap = new Map();
  const dtypes = new Map<string, string>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (entry ?? {}) as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const size = typeof e.dtype === 'string' ? SIZES[e.dtype] : undefined;
    if (size === undefined) fail(`${name}: unsupported dtype ${JSON.stringify(e.dtype)}`);
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isInteger(d) || d < 0))
      fail(`${name}: bad shape`);
    const shape = e.shape as number[];
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2) fail(`${name}: bad data_offsets`);
    const [begin, end] = offsets as number[];
    const count = shape.reduce((a, b) => a * b, 1);
    if (!(
      Number.isInteger(begin) &&
      Number.isInteger(end) &&
      begin >= 0 &&
      end <= data.length &&
      end - begin === count * size!
    ))
      fail(`${name}: data_offsets [${begin}, ${end}] do not hold ${count} ${e.dtype as string} values`);
    tensors.set(name, { shape, data: toFloat32(data.subarray(begin, end), e.dtype as string, count) });
    dtypes.set(name, e.dtype as string);
  }
  return { tensors, dtypes, metadata };
}

/**
 * Reads a safetensors file (e.g. a torchvision `state_dict` saved with
 * `safetensors.torch.save_file`).
 * @throws EmovoxInputError(path, problem) when unreadable or malformed.
 */
export function readSafetensors(path: string): Safetensors {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new EmovoxInputError(path, `cannot read file (${errorMessage(error)})`, { cause: error });
  }
  return parseSafetensors(bytes, path);
}

/**
 * Serialises float32 weights as safetensors bytes (dtype F32, names sorted, header padded with
 * spaces to a multiple of 8 bytes as the reference writer does), readable by
 * `safetensors.torch.load_file`.
 */
export function encodeSafetensors(weights: WeightMap, metadata: Record<string, string> = {}): Uint8Array {
  const names = [...weights.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const w = weights.get(name)!;
    header[name] = { dtype: 'F32', shape: w.shape, data_offsets: [offset, offset + w.data.byteLength] };
    offset += w.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((Buffer.byteLength(json) + 8) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const name of names) {
    const d = weights.get(name)!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

/** Writes weights as a safetensors file (atomically). */
export function writeSafetensors(
  path: string,
  weights: WeightMap,
  metadata: Record<string, string> = {},
): void {
  writeFileAtomicSync(path, encodeSafetensors(weights, metadata));
}
