import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { featureMatrix } from '../dsp/matrix.js';
import type { FeatureValue } from '../features/value.js';

/** Hit / miss / write counters of one {@link FeatureCache} instance. */
export interface CacheCounters {
  hits: number;
  /** Lookups that found no usable entry (absent, old record version, or bad: see `corrupt`). */
  misses: number;
  writes: number;
  /** Entries that failed their checksum or could not be parsed (each also counted as a miss). */
  corrupt: number;
}

/** A value read back from the cache, with the warnings its audio gave when it was computed. */
export interface CacheEntry {
  readonly value: FeatureValue;
  /** Decoder warnings of the source audio (e.g. truncation), replayed on every hit. */
  readonly warnings: readonly string[];
}

const MAGIC = 0x46585645; // 'EVXF' little-endian
/** Record layout version; 2 added the sha256 checksum and the audio warnings. */
const RECORD_VERSION = 2;
const HEADER = 12;
const DIGEST = 32;

/** A record that is not valid: the cache treats it as a miss and rewrites it. */
export class BadFeatureRecord extends Error {
  /** True when the record is a valid record of another layout version (not damage). */
  readonly oldVersion: boolean;
  constructor(message: string, oldVersion = false) {
    super(message);
    this.name = 'BadFeatureRecord';
    this.oldVersion = oldVersion;
  }
}

/**
 * The default cache folder: `$EMOVOX_CACHE/features`, else `$XDG_CACHE_HOME/emovox/features`,
 * else `~/.cache/emovox/features`.
 */
export function defaultFeatureCacheDir(): string {
  if (process.env.EMOVOX_CACHE) return join(process.env.EMOVOX_CACHE, 'features');
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'emovox', 'features');
}

/**
 * Serialises a feature value as a cache record: magic, record version, meta length, sha256 of
 * everything after the digest, JSON meta (kind, shape, names, warnings), float32 payload.
 *
 * @param value - a matrix or vector value.
 * @param warnings - warnings of the source audio, stored so cache hits report them too.
 */
export function encodeFeatureRecord(value: FeatureValue, warnings: readonly string[] = []): Buffer {
  const data = value.matrix?.data ?? value.vector;
  if (!data) throw new TypeError('feature value has neither matrix nor vector');
  const meta = JSON.stringify({
    kind: value.matrix ? 'matrix' : 'vector',
    frames: value.matrix?.frames ?? 1,
    bins: value.matrix?.bins ?? data.length,
    names: value.names,
    warnings: warnings.length > 0 ? warnings : undefined,
  });
  const metaBytes = Buffer.from(meta, 'utf8');
  const metaPadded = Math.ceil(metaBytes.length / 4) * 4; // keeps the floats 4-byte aligned
  const body = HEADER + DIGEST;
  const out = Buffer.alloc(body + metaPadded + data.byteLength, 0x20);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(RECORD_VERSION, 4);
  out.writeUInt32LE(metaPadded, 8);
  metaBytes.copy(out, body);
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, body + metaPadded);
  createHash('sha256').update(out.subarray(body)).digest().copy(out, HEADER);
  return out;
}

/**
 * Parses and verifies a cache record written by {@link encodeFeatureRecord}: the checksum must
 * match, the shape must match the payload, every value must be finite.
 *
 * @throws BadFeatureRecord when the record is truncated, tampered with, or not a record.
 */
export function decodeFeatureRecord(bytes: Uint8Array): CacheEntry {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < HEADER || buf.readUInt32LE(0) !== MAGIC)
    throw new BadFeatureRecord('not an emovox feature record');
  const version = buf.readUInt32LE(4);
  if (version !== RECORD_VERSION)
    throw new BadFeatureRecord(
      `record version ${version}, expected ${RECORD_VERSION}`,
      version < RECORD_VERSION,
    );
  const body = HEADER + DIGEST;
  const metaLength = buf.readUInt32LE(8);
  if (buf.length < body || body + metaLength > buf.length) throw new BadFeatureRecord('truncated record');
  const digest = createHash('sha256').update(buf.subarray(body)).digest();
  if (!digest.equals(buf.subarray(HEADER, body)))
    throw new BadFeatureRecord('checksum mismatch (damaged or modified)');
  let meta: {
    kind: 'matrix' | 'vector';
    frames: number;
    bins: number;
    names?: string[];
    warnings?: string[];
  };
  try {
    meta = JSON.parse(buf.toString('utf8', body, body + metaLength)) as typeof meta;
  } catch {
    throw new BadFeatureRecord('unreadable meta');
  }
  const payload = buf.subarray(body + metaLength);
  if (payload.length !== meta.frames * meta.bins * 4)
    throw new BadFeatureRecord('payload size does not match its shape');
  const data = new Float32Array(new Uint8Array(payload).buffer);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new BadFeatureRecord(`value ${i} is not finite`);
  }
  const value: FeatureValue =
    meta.kind === 'matrix'
      ? { matrix: featureMatrix(data, meta.frames, meta.bins), names: meta.names }
      : { vector: data, names: meta.names };
  return { value, warnings: meta.warnings ?? [] };
}

/**
 * Content-addressed on-disk store of feature values. An entry's address is
 * `<dir>/<specKey[0..31]>/<fileHash[0..1]>/<fileHash>.evf` where `fileHash` is sha256 of the
 * audio file's bytes and `specKey` is `featureSpecHash(spec)` (sha256 of the canonical spec
 * JSON plus `FEATURE_CACHE_VERSION`): the same bytes under the same spec are never recomputed,
 * and any change to either misses. Every entry carries a sha256 of its content, checked on each
 * read: a damaged or modified entry (a flipped byte, a NaN written in) is a miss, reported
 * through `onProblem`, and rewritten by the next {@link FeatureCache.set}. Writes are atomic
 * (temp file + rename), so concurrent workers and interrupted runs never leave a half-written
 * entry.
 */
export class FeatureCache {
  /** The cache's root folder. */
  readonly dir: string;
  /** Counters since construction. */
  readonly counters: CacheCounters = { hits: 0, misses: 0, writes: 0, corrupt: 0 };

  /** @param dir - root folder (created on first write); default {@link defaultFeatureCacheDir}. */
  constructor(dir: string = defaultFeatureCacheDir()) {
    this.dir = dir;
  }

  /** Path of the entry for file hash `fileHash` under spec key `specKey`. */
  entryPath(fileHash: string, specKey: string): string {
    return join(this.dir, specKey.slice(0, 32), fileHash.slice(0, 2), `${fileHash}.evf`);
  }

  /**
   * The stored entry, or undefined (counted as a miss) when absent or bad.
   * @param onProblem - called with "`<entry path>`: problem; recomputed" when an entry exists but
   *   fails its checksum or cannot be parsed (not for absent entries or old record versions).
   */
  get(fileHash: string, specKey: string, onProblem?: (problem: string) => void): CacheEntry | undefined {
    const path = this.entryPath(fileHash, specKey);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      this.counters.misses++;
      return undefined;
    }
    try {
      const entry = decodeFeatureRecord(bytes);
      this.counters.hits++;
      return entry;
    } catch (error) {
      this.counters.misses++;
      if (!(error instanceof BadFeatureRecord && error.oldVersion)) {
        this.counters.corrupt++;
        onProblem?.(
          `feature cache entry ${path} is bad (${(error as Error).message}); recomputed and rewritten`,
        );
      }
      return undefined;
    }
  }

  /**
   * Stores `value` (and the audio's `warnings`); a failing write (read-only disk, full disk) is
   * ignored and returns false: the cache is an optimisation.
   */
  set(fileHash: string, specKey: string, value: FeatureValue, warnings: readonly string[] = []): boolean {
    const path = this.entryPath(fileHash, specKey);
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(temp, encodeFeatureRecord(value, warnings));
      renameSync(temp, path);
      this.counters.writes++;
      return true;
    } catch {
      rmSync(temp, { force: true });
      return false;
    }
  }
}
