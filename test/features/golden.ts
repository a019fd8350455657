// Loads the fixtures written by reference/features_golden.py (frames x bins float32 arrays).
import '../../src/dsp/pffft-node.js'; // PFFFT as in the Node entry (the production path)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FeatureMatrix } from '../../src/dsp/matrix.js';

const DIR = fileURLToPath(new URL('../fixtures/features/', import.meta.url));

interface Manifest {
  signals: Record<string, { sr: number; samples: number }>;
  arrays: Record<string, { frames: number; bins: number; maxAbs: number }>;
  scalars: Record<string, unknown>;
}

export const manifest = JSON.parse(readFileSync(DIR + 'golden.json', 'utf8')) as Manifest;

function readF32(name: string): Float32Array {
  const buf = readFileSync(DIR + name + '.f32');
  const out = new Float32Array(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

/** The test signal `name` and its sample rate. */
export function signal(name: string): { y: Float32Array; sr: number } {
  return { y: readF32(`signal_${name}`), sr: manifest.signals[name].sr };
}

/** A golden matrix (frames x bins). */
export function golden(name: string): FeatureMatrix {
  const info = manifest.arrays[name];
  if (!info) throw new Error(`no golden array ${name}`);
  return { data: readF32(name), frames: info.frames, bins: info.bins };
}

export const SIGNALS = ['chirp', 'tone_noise', 'vowel'] as const;

/** max |a - b| / max |b| over the whole matrix (shapes must agree). */
export function relError(actual: FeatureMatrix, expected: FeatureMatrix): number {
  if (actual.frames !== expected.frames || actual.bins !== expected.bins) {
    throw new Error(`shape ${actual.frames}x${actual.bins} != expected ${expected.frames}x${expected.bins}`);
  }
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.data.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual.data[i] - expected.data[i]));
    maxRef = Math.max(maxRef, Math.abs(expected.data[i]));
  }
  return maxRef === 0 ? maxDiff : maxDiff / maxRef;
}

/** First `frames` rows of a matrix. */
export function firstFrames(m: FeatureMatrix, frames: number): FeatureMatrix {
  return { data: m.data.slice(0, frames * m.bins), frames, bins: m.bins };
}
