import { createHash } from 'node:crypto';
import type { FeatureSpec } from '../features/sets.js';
import { canonicalJson } from '../util/canonical-json.js';

/**
 * Bumped whenever emovox's feature code changes its output for an unchanged spec, so old cache
 * entries stop matching (the spec hash alone cannot see code changes). 2: pyin follows librosa
 * 0.11 (the prosodic set changes).
 */
export const FEATURE_CACHE_VERSION = 2;

/** Hex sha256 of bytes or a UTF-8 string. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * sha256 (hex) of the canonical spec JSON (`canonicalJson`, keys sorted) plus
 * {@link FEATURE_CACHE_VERSION}: equal specs give equal hashes whatever their key order; any
 * parameter, set version or cache version change gives another hash.
 */
export function featureSpecHash(spec: FeatureSpec): string {
  return sha256Hex(`${canonicalJson(spec)}\n${FEATURE_CACHE_VERSION}`);
}
