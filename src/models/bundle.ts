import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { writeFileAtomicSync, writeFilesAtomicSync } from '../util/atomic-file.js';
import { join } from 'node:path';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import { resolveConfig, type ModelConfig, type Resolved } from './config.js';
import { parameterSpecs } from './plan.js';
import { checkWeights, type WeightMap } from './weights.js';

/** A saved model: configuration, weights and optional class labels. */
export interface ModelBundle {
  /** Model configuration (loaded bundles hold it with every default filled in). */
  config: ModelConfig;
  weights: WeightMap;
  /** Class names in output order. */
  labels?: string[];
  /** Free-form string metadata (training corpus, feature settings, ...). */
  metadata?: Record<string, string>;
}

/** Manifest stored as `model.json` (directory bundle) or in the header of a single-file bundle. */
export interface BundleManifest {
  format: 'emovox-model';
  version: 1;
  config: Resolved<ModelConfig>;
  labels?: string[];
  metadata?: Record<string, string>;
  /** Raw little-endian float32 tensors: byte offset and element count within the weights blob. */
  tensors: Array<{ name: string; shape: number[]; offset: number; length: number }>;
}

/** First 8 bytes of a single-file bundle. */
export const BUNDLE_MAGIC = 'EMOVOX01';
const MAX_HEADER = 64 * 1024 * 1024;

function packWeights(bundle: ModelBundle): { manifest: BundleManifest; blob: Uint8Array } {
  const config = resolveConfig(bundle.config);
  checkWeights(config, bundle.weights, 'save model');
  if (
    bundle.labels &&
    (bundle.labels.length !== config.classes || bundle.labels.some((l) => typeof l !== 'string'))
  ) {
    throw new EmovoxInputError(
      'save model',
      `labels must be ${config.classes} strings, got ${bundle.labels.length}`,
    );
  }
  const tensors: BundleManifest['tensors'] = [];
  let offset = 0;
  for (const spec of parameterSpecs(config)) {
    const w = bundle.weights.get(spec.name)!;
    tensors.push({ name: spec.name, shape: w.shape, offset, length: w.data.length });
    offset += w.data.length * 4;
  }
  const blob = new Uint8Array(offset);
  const view = new DataView(blob.buffer);
  for (const t of tensors) {
    const data = bundle.weights.get(t.name)!.data;
    for (let i = 0; i < data.length; i++) view.setFloat32(t.offset + i * 4, data[i], true);
  }
  const manifest: BundleManifest = { format: 'emovox-model', version: 1, config, tensors };
  if (bundle.labels) manifest.labels = bundle.labels;
  if (bundle.metadata) manifest.metadata = bundle.metadata;
  return { manifest, blob };
}

function unpack(source: string, manifestValue: unknown, blob: Uint8Array): ModelBundle {
  const m = manifestValue as Partial<BundleManifest>;
  if (typeof m !== 'object' || m === null || m.format !== 'emovox-model')
    throw new EmovoxInputError(source, 'not an emovox model manifest');
  if (m.version !== 1) throw new EmovoxInputError(source, `unsupported bundle version ${String(m.version)}`);
  const config = resolveConfig(m.config);
  if (!Array.isArray(m.tensors)) throw new EmovoxInputError(source, 'manifest has no tensor list');
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const weights: WeightMap = new Map();
  for (const t of m.tensors) {
    const length = Number(t.length);
    const offset = Number(t.offset);
    if (
      !Number.isInteger(length) ||
      !Number.isInteger(offset) ||
      length < 0 ||
      offset < 0 ||
      offset + length * 4 > blob.byteLength
    ) {
      throw new EmovoxInputError(
        source,
        `tensor ${String(t.name)} lies outside the weights (truncated file?)`,
      );
    }
    const data = new Float32Array(length);
    for (let i = 0; i < length; i++) data[i] = view.getFloat32(offset + i * 4, true);
    weights.set(String(t.name), { shape: t.shape.map(Number), data });
  }
  checkWeights(config, weights, source);
  const bundle: ModelBundle = { config, weights };
  if (m.labels !== undefined) {
    if (
      !Array.isArray(m.labels) ||
      m.labels.length !== config.classes ||
      m.labels.some((l) => typeof l !== 'string')
    ) {
      throw new EmovoxInputError(source, `labels must be ${config.classes} strings`);
    }
    bundle.labels = m.labels;
  }
  if (m.metadata !== undefined) bundle.metadata = m.metadata;
  return bundle;
}

/**
 * Saves a model bundle. When `path` ends in `.emovox` a single file is written:
 * `EMOVOX01` magic, uint32 little-endian header length, UTF-8 JSON manifest, zero padding to a
 * multiple of 4, raw little-endian float32 weights. Otherwise `path` is a directory receiving
 * `model.json` (manifest) and `weights.bin` (raw float32 weights).
 * @param path - `.emovox` file or directory (created if missing).
 * @param bundle - config, weights (checked against the config), labels, metadata.
 */
export function saveBundle(path: string, bundle: ModelBundle): void {
  const { manifest, blob } = packWeights(bundle);
  if (path.endsWith('.emovox')) {
    const header = new TextEncoder().encode(JSON.stringify(manifest));
    const start = 12 + header.length;
    const pad = (4 - (start % 4)) % 4;
    const out = new Uint8Array(start + pad + blob.length);
    out.set(new TextEncoder().encode(BUNDLE_MAGIC), 0);
    new DataView(out.buffer).setUint32(8, header.length + pad, true);
    out.set(header, 12);
    out.fill(0x20, start, start + pad);
    out.set(blob, start + pad);
    writeFileAtomicSync(path, out);
    return;
  }
  mkdirSync(path, { recursive: true });
  // One atomic set, the manifest last: a failed or interrupted save keeps the previous bundle.
  writeFilesAtomicSync([
    { path: join(path, 'weights.bin'), data: blob },
    { path: join(path, 'model.json'), data: JSON.stringify(manifest, null, 2) },
  ]);
}

/**
 * Loads a bundle written by {@link saveBundle} (directory or `.emovox` file).
 * @throws EmovoxInputError(path, problem) for a missing, truncated or inconsistent bundle.
 */
export function loadBundle(path: string): ModelBundle {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (error) {
    throw new EmovoxInputError(path, `cannot read model: ${errorMessage(error)}`);
  }
  try {
    if (isDir) {
      const manifest: unknown = JSON.parse(readFileSync(join(path, 'model.json'), 'utf8'));
      return unpack(path, manifest, new Uint8Array(readFileSync(join(path, 'weights.bin'))));
    }
    const bytes = new Uint8Array(readFileSync(path));
    if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== BUNDLE_MAGIC) {
      throw new EmovoxInputError(path, 'not an emovox model file (bad magic)');
    }
    const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
    if (headerLength > MAX_HEADER || 12 + headerLength > bytes.length)
      throw new EmovoxInputError(path, 'truncated header');
    const manifest: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
    return unpack(path, manifest, bytes.subarray(12 + headerLength));
  } catch (error) {
    if (error instanceof EmovoxInputError) {
      throw error.source === path ? error : new EmovoxInputError(path, error.problem);
    }
    throw new EmovoxInputError(path, `cannot read model: ${errorMessage(error)}`);
  }
}
