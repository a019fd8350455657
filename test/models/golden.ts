// Loads test/fixtures/models/golden.json (written by reference/model_golden.py with PyTorch).
import { readFileSync } from 'node:fs';
import type { ModelConfig } from '../../src/models/config.js';
import type { WeightMap } from '../../src/models/weights.js';
import type { InputTensor } from '../../src/infer/session.js';

interface JsonTensor {
  shape: number[];
  dtype: 'float32' | 'int32' | 'int64';
  base64?: string;
  values?: number[];
}

export interface GoldenCase {
  name: string;
  config: ModelConfig;
  weights: WeightMap;
  inputs: Record<string, InputTensor>;
  logits: Float32Array;
}

function floats(t: JsonTensor): Float32Array {
  const bytes = Buffer.from(t.base64 ?? '', 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function tensor(t: JsonTensor): InputTensor {
  if (t.dtype === 'float32') return { data: floats(t), shape: t.shape };
  if (t.dtype === 'int32') return { data: Int32Array.from(t.values ?? []), shape: t.shape };
  return { data: BigInt64Array.from((t.values ?? []).map((v) => BigInt(v))), shape: t.shape };
}

export function loadGolden(): GoldenCase[] {
  const raw = JSON.parse(
    readFileSync(new URL('../fixtures/models/golden.json', import.meta.url), 'utf8'),
  ) as {
    cases: Array<{
      name: string;
      config: ModelConfig;
      weights: Record<string, JsonTensor>;
      inputs: Record<string, JsonTensor>;
      logits: JsonTensor;
    }>;
  };
  return raw.cases.map((c) => ({
    name: c.name,
    config: c.config,
    weights: new Map(Object.entries(c.weights).map(([k, v]) => [k, { shape: v.shape, data: floats(v) }])),
    inputs: Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, tensor(v)])),
    logits: floats(c.logits),
  }));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
