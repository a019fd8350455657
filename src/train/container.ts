import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import { EmovoxInputError, errorMessage } from '../util/errors.js';

// A JSON document whose typed arrays live in a binary section: `magic`, uint32 LE header length,
// UTF-8 JSON (typed arrays replaced by { "$f32" | "$i32" | "$f64": [byteOffset, length] }), zero
// padding to 8 bytes, then the raw little-endian arrays. Used for training checkpoints so that
// weights and optimiser moments keep every bit without base64 or float printing.

type Typed = Float32Array | Int32Array | Float64Array;
const TAGS = { $f32: Float32Array, $i32: Int32Array, $f64: Float64Array } as const;

function tagOf(value: Typed): keyof typeof TAGS {
  return value instanceof Float32Array ? '$f32' : value instanceof Int32Array ? '$i32' : '$f64';
}

/**
 * Serialises `value` (JSON values plus Float32Array / Int32Array / Float64Array anywhere) with
 * an 8-byte `magic` (ASCII).
 */
export function packDocument(magic: string, value: unknown): Uint8Array {
  if (magic.length !== 8) throw new TypeError('magic must be 8 ASCII characters');
  const blobs: Typed[] = [];
  let offset = 0;
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Float32Array || v instanceof Int32Array || v instanceof Float64Array) {
      const at = Math.ceil(offset / 8) * 8;
      blobs.push(v);
      offset = at + v.byteLength;
      return { [tagOf(v)]: [at, v.length] };
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
    return v;
  });
  const header = new TextEncoder().encode(json);
  const start = Math.ceil((12 + header.length) / 8) * 8;
  const out = new Uint8Array(start + offset);
  out.set(new TextEncoder().encode(magic), 0);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  let at = 0;
  for (const b of blobs) {
    at = Math.ceil(at / 8) * 8;
    out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), start + at);
    at += b.byteLength;
  }
  return out;
}

/** Parses bytes written by {@link packDocument}; typed arrays come back as copies. */
export function unpackDocument(magic: string, bytes: Uint8Array, source: string): unknown {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== magic) {
    throw new EmovoxInputError(source, `not a ${magic} file`);
  }
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  if (12 + length > bytes.length) throw new EmovoxInputError(source, 'truncated header');
  const start = Math.ceil((12 + length) / 8) * 8;
  const json = new TextDecoder().decode(bytes.subarray(12, 12 + length));
  return JSON.parse(json, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] in TAGS) {
        const tag = keys[0] as keyof typeof TAGS;
        const [at, n] = (v as Record<string, [number, number]>)[tag];
        const Ctor = TAGS[tag];
        const byteLength = n * Ctor.BYTES_PER_ELEMENT;
        if (start + at + byteLength > bytes.length) throw new EmovoxInputError(source, 'truncated data');
        const copy = bytes.slice(start + at, start + at + byteLength);
        return new Ctor(copy.buffer, 0, n);
      }
      if (keys.length === 1 && keys[0] === '$num') return Number((v as { $num: string }).$num);
    }
    return v;
  });
}

/** Writes a document atomically (temporary file + rename): a crash leaves the old file or the new. */
export function writeDocument(path: string, magic: string, value: unknown): void {
  writeFileAtomicSync(path, packDocument(magic, value));
}

/** Reads a document; EmovoxInputError(path, problem) when missing or corrupt. */
export function readDocument(path: string, magic: string): unknown {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new EmovoxInputError(path, `cannot read: ${errorMessage(error)}`);
  }
  try {
    return unpackDocument(magic, bytes, path);
  } catch (error) {
    if (error instanceof EmovoxInputError) throw error;
    throw new EmovoxInputError(path, `corrupt file: ${errorMessage(error)}`);
  }
}
