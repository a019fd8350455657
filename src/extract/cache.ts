import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { featureMatrix } from '../features/matrix.js';
import type { FeatureValue } from '../features/value.js';

/** Hit / miss / write counters of one {@link FeatureCache} instance. */
export interface CacheCounters {
  hits: number;
  misses: number;
  writes: number;
}

const MAGIC = 0x46585645; // 'EVXF' little-endian
const RECORD_VERSION = 1;

/**
 * The default cache folder: `$EMOVOX_CACHE/features`, else `$XDG_CACHE_HOME/emovox/features`,
 * else `~/.cache/emovox/features`.
 */
export function defaultFeatureCacheDir(): string {
  if (process.env.EMOVOX_CACHE) return join(process.env.EMOVOX_CACHE, 'features');
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'emovox', 'features');
}

/** Serialises a feature value as a cache record: magic, version, JSON meta, float32 payload. */
export function encodeFeatureRecord(value: FeatureValue): Buffer {
  const data = value.matrix?.data ?? value.vector;
  if (!data) throw new TypeError('feature value has neither matrix nor vector');
  const meta = JSON.stringify({
    kind: value.matrix ? 'matrix' : 'vector',
    frames: value.matrix?.frames ?? 1,
    bins: value.matrix?.bins ?? data.length,
    names: value.names,
  });
  const metaBytes = Buffer.from(meta, 'utf8');
  const metaPadded = Math.ceil(metaBytes.length / 4) * 4; // keeps the floats 4-byte aligned
  const out = Buffer.alloc(12 + metaPadded + data.byteLength, 0x20);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(RECORD_VERSION, 4);
  out.writeUInt32LE(metaPadded, 8);
  metaBytes.copy(out, 12);
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, 12 + metaPadded);
  return out;
}

/**
 * Parses a cache record written by {@link encodeFeatureRecord}.
 *
 * @throws Error when the record is truncated or not a record (the cache then treats it as a miss).
 */
export function decodeFeatureRecord(bytes: Uint8Array): FeatureValue {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 12 || buf.readUInt32LE(0) !== MAGIC || buf.readUInt32LE(4) !== RECORD_VERSION) {
    throw new Error('not an emovox feature record');
  }
  const metaLength = buf.readUInt32LE(8);
  if (12 + metaLength > buf.length) throw new Error('truncated feature record');
  const meta = JSON.parse(buf.toString('utf8', 12, 12 + metaLength)) as {
    kind: 'matrix' | 'vector';
    frames: number;
    bins: number;
    names?: string[];
  };
  const payload = buf.subarray(12 + metaLength);
  if (payload.length !== meta.frames * meta.bins * 4) throw new Error('truncated feature record');
  const data = new Float32Array(new Uint8Array(payload).buffer);
  return meta.kind === 'matrix'
    ? { matrix: featureMatrix(data, meta.frames, meta.bins), names: meta.names }
    : { vector: data, names: meta.names };
}

/**
 * Content-addressed on-disk store of feature values. An entry's address is
 * `<dir>/<specKey[0..31]>/<fileHash[0..1]>/<fileHash>.evf` where `fileHash` is sha256 of the
 * audio file's bytes and `specKey` is `featureSpecHash(spec)` (sha256 of the canonical spec
 * JSON plus {@link FEATURE_CACHE_VERSION}): the same bytes under the same spec are never recomputed, and
 * any change to either misses. Writes are atomic (temp file + rename), so concurrent workers and
 * interrupted runs never leave a half-written entry; an unreadable entry counts as a miss.
 */
export class FeatureCache {
  /** The cache's root folder. */
  readonly dir: string;
  /** Counters since construction. */
  readonly counters: CacheCounters = { hits: 0, misses: 0, writes: 0 };

  /** @param dir - root folder (created on first write); default {@link defaultFeatureCacheDir}. */
  constructor(dir: string = defaultFeatureCacheDir()) {
    this.dir = dir;
  }

  /** Path of the entry for file hash `fileHash` under spec key `specKey`. */
  entryPath(fileHash: string, specKey: string): string {
    return join(this.dir, specKey.slice(0, 32), fileHash.slice(0, 2), `${fileHash}.evf`);
  }

  /** The stored value, or undefined (counted as a miss) when absent or unreadable. */
  get(fileHash: string, specKey: string): FeatureValue | undefined {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.entryPath(fileHash, specKey));
    } catch {
      this.counters.misses++;
      return undefined;
    }
    try {
      const value = decodeFeatureRecord(bytes);
      this.counters.hits++;
      return value;
    } catch {
      this.counters.misses++;
      return undefined;
    }
  }

  /** Stores `value`; a failing write (read-only disk, full disk) is ignored: the cache is an optimisation. */
  set(fileHash: string, specKey: string, value: FeatureValue): boolean {
    const path = this.entryPath(fileHash, specKey);
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(temp, encodeFeatureRecord(value));
      renameSync(temp, path);
      this.counters.writes++;
      return true;
    } catch {
      rmSync(temp, { force: true });
      return false;
    }
  }
}
