import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync, writeFilesAtomicSync } from '../util/atomic-file.js';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import { VERSION } from '../version.js';
import { resolveConfig, type ModelConfig, type Resolved } from './config.js';
import type { InputLayout, InputNormalization } from './normalization.js';
import { exportOnnx } from './onnx/export.js';
import { parameterSpecs } from './plan.js';
import { checkWeights, type WeightMap } from './weights.js';

/** A feature set as stored in a bundle (same shape as the features registry's FeatureSpec). */
export interface BundleFeatureSpec {
  readonly name: string;
  readonly version: number;
  readonly params: { readonly sampleRate: number } & { readonly [key: string]: unknown };
}

/**
 * How one model input is computed from audio: `vector` (the sets' vectors concatenated),
 * `frames` (the sets' matrices concatenated per frame, at most `maxFrames` when > 0) or `image`
 * (one matrix set as [1, bins, frames]).
 */
export interface BundleInputSpec {
  kind: InputLayout;
  sets: BundleFeatureSpec[];
  maxFrames?: number;
}

/** Audio preprocessing applied before features, at training and at inference alike. */
export interface BundlePreprocess {
  /** Leading/trailing silence removal (librosa.effects.trim) at this many dB below the peak. */
  trimSilence?: { topDb: number } | null;
}

/** Temperature scaling fitted after training: probabilities = softmax(logits / temperature). */
export interface BundleCalibration {
  temperature: number;
  /** What it was fitted on (e.g. `validation speakers of the final model`). */
  fittedOn: string;
  /** Expected calibration error on that set before and after scaling. */
  eceBefore?: number;
  eceAfter?: number;
}

/** One corpus a model was trained on, for its model card. */
export interface ModelCardCorpus {
  corpus: string;
  /** Items and speakers used. */
  items: number;
  speakers: number;
  /** `eval` (cross-validated and trained on) or `train` (extra training data only). */
  role: 'eval' | 'train';
  /** The corpus's licence and terms. */
  licence: string;
}

/** Human- and machine-readable description of a trained model (written as MODEL_CARD.md too). */
export interface ModelCard {
  name: string;
  description?: string;
  /** ISO date-time of training. */
  created: string;
  /** emovox version that trained it. */
  emovox: string;
  data: ModelCardCorpus[];
  /** Terms the model inherits from its data (e.g. non-commercial use only). */
  terms: string;
  classes: string[];
  /** Evaluation protocol of the reported metrics and the folds it ran. */
  protocol: { name: string; folds: number; speakerIndependent: boolean; warning?: string };
  /** Cross-validated metrics (mean and std over folds). */
  metrics: Record<string, { mean: number; std: number }>;
  /** Command that reproduces the model and its metrics. */
  command?: string;
  /** What the final model was trained on. */
  training?: string;
  limitations?: string[];
}

/** A saved model: configuration, weights, labels and (format 2) everything inference needs. */
export interface ModelBundle {
  /** Model configuration (loaded bundles hold it with every default filled in). */
  config: ModelConfig;
  weights: WeightMap;
  /** Class names in output order. */
  labels?: string[];
  /** Free-form string metadata (training corpus, feature settings, ...). */
  metadata?: Record<string, string>;
  /** Model input name -> how to compute it from audio. */
  inputs?: Record<string, BundleInputSpec>;
  preprocess?: BundlePreprocess;
  /** Model input name -> normalisation with its statistics. */
  normalization?: Record<string, InputNormalization>;
  calibration?: BundleCalibration;
  card?: ModelCard;
}

/** Manifest stored as `model.json` (directory bundle) or in the header of a single-file bundle. */
export interface BundleManifest {
  format: 'emovox-model';
  /** 1: config, weights, labels, metadata. 2: adds emovox, inputs, preprocess, normalisation, calibration, card, files. */
  version: 1 | 2;
  /** emovox version that wrote the bundle (format 2). */
  emovox?: string;
  config: Resolved<ModelConfig>;
  labels?: string[];
  metadata?: Record<string, string>;
  inputs?: Record<string, BundleInputSpec>;
  preprocess?: BundlePreprocess;
  normalization?: Record<string, InputNormalization>;
  calibration?: BundleCalibration;
  card?: ModelCard;
  /** Companion files of a directory bundle (format 2): `model.onnx`, `MODEL_CARD.md`. */
  files?: { onnx?: string; card?: string };
  /** Raw little-endian float32 tensors: byte offset and element count within the weights blob. */
  tensors: Array<{ name: string; shape: number[]; offset: number; length: number }>;
}

/** The bundle format this emovox writes; it reads formats 1 to this. */
export const BUNDLE_FORMAT_VERSION = 2;
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
  const manifest: BundleManifest = { format: 'emovox-model', version: 2, emovox: VERSION, config, tensors };
  if (bundle.labels) manifest.labels = bundle.labels;
  if (bundle.metadata) manifest.metadata = bundle.metadata;
  if (bundle.inputs) manifest.inputs = bundle.inputs;
  if (bundle.preprocess) manifest.preprocess = bundle.preprocess;
  if (bundle.normalization) manifest.normalization = bundle.normalization;
  if (bundle.calibration) manifest.calibration = bundle.calibration;
  if (bundle.card) manifest.card = bundle.card;
  return { manifest, blob };
}

function checkNormalization(source: string, n: unknown, name: string): void {
  const v = n as Partial<InputNormalization>;
  if (typeof v !== 'object' || v === null || !['none', 'global', 'speaker'].includes(String(v.mode))) {
    throw new EmovoxInputError(source, `normalisation of input ${name} has no valid mode`);
  }
  if (v.mode !== 'none') {
    const s = v.stats;
    if (
      !s ||
      !Array.isArray(s.mean) ||
      !Array.isArray(s.std) ||
      s.mean.length !== v.channels ||
      s.std.length !== v.channels ||
      s.std.some((x) => !(x > 0))
    ) {
      throw new EmovoxInputError(source, `normalisation of input ${name} has malformed statistics`);
    }
  }
}

function unpack(source: string, manifestValue: unknown, blob: Uint8Array): ModelBundle {
  const m = manifestValue as Partial<BundleManifest>;
  if (typeof m !== 'object' || m === null || m.format !== 'emovox-model')
    throw new EmovoxInputError(source, 'not an emovox model manifest');
  if (m.version !== 1 && m.version !== 2) {
    const newer = typeof m.version === 'number' && m.version > BUNDLE_FORMAT_VERSION;
    throw new EmovoxInputError(
      source,
      newer
        ? `bundle format ${m.version} (written by emovox ${String(m.emovox ?? '?')}) is newer than emovox ${VERSION} can read (formats 1-${BUNDLE_FORMAT_VERSION}): upgrade emovox`
        : `unsupported bundle format ${JSON.stringify(m.version)}`,
    );
  }
  let config: Resolved<ModelConfig>;
  try {
    config = resolveConfig(m.config);
  } catch (error) {
    throw new EmovoxInputError(
      source,
      `model configuration not understood by emovox ${VERSION} (bundle written by emovox ${String(m.emovox ?? 'before 0.1 / format 1')}): ${error instanceof EmovoxInputError ? error.problem : errorMessage(error)}`,
    );
  }
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
  if (m.version === 2) {
    if (m.inputs !== undefined) {
      for (const [name, spec] of Object.entries(m.inputs)) {
        if (!spec || !['vector', 'frames', 'image'].includes(spec.kind) || !Array.isArray(spec.sets)) {
          throw new EmovoxInputError(source, `input ${name} has no valid feature description`);
        }
      }
      bundle.inputs = m.inputs;
    }
    if (m.normalization !== undefined) {
      for (const [name, n] of Object.entries(m.normalization)) checkNormalization(source, n, name);
      bundle.normalization = m.normalization;
    }
    if (m.calibration !== undefined) {
      if (!(m.calibration.temperature > 0))
        throw new EmovoxInputError(source, 'calibration temperature must be > 0');
      bundle.calibration = m.calibration;
    }
    if (m.preprocess !== undefined) bundle.preprocess = m.preprocess;
    if (m.card !== undefined) bundle.card = m.card;
  }
  return bundle;
}

/** Options of {@link saveBundle}. */
export interface SaveBundleOptions {
  /** Directory bundles: also write `model.onnx` (default true). */
  onnx?: boolean;
}

/** The model card as Markdown (what `MODEL_CARD.md` holds). */
export function modelCardMarkdown(card: ModelCard, labels?: readonly string[]): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  const lines = [
    `# Model card: ${card.name}`,
    '',
    card.description ?? '',
    '',
    `- Trained: ${card.created} with emovox ${card.emovox}`,
    `- Classes (${card.classes.length}): ${(labels ?? card.classes).join(', ')}`,
    ...(card.training ? [`- Final model: ${card.training}`] : []),
    ...(card.command ? [`- Reproduce: \`${card.command}\``] : []),
    '',
    '## Data and licences',
    '',
    '| corpus | role | items | speakers | licence |',
    '|---|---|---:|---:|---|',
    ...card.data.map((d) => `| ${d.corpus} | ${d.role} | ${d.items} | ${d.speakers} | ${d.licence} |`),
    '',
    `Terms: ${card.terms}`,
    '',
    '## Evaluation',
    '',
    `Protocol: ${card.protocol.name} (${card.protocol.folds} fold${card.protocol.folds === 1 ? '' : 's'}, ${
      card.protocol.speakerIndependent ? 'speaker-independent' : 'speakers shared between train and test'
    }).`,
    ...(card.protocol.warning ? ['', `**Warning:** ${card.protocol.warning}`] : []),
    '',
    '| metric | mean | std |',
    '|---|---:|---:|',
    ...Object.entries(card.metrics).map(([k, v]) => `| ${k} | ${pct(v.mean)} | ${pct(v.std)} |`),
    '',
    ...(card.limitations && card.limitations.length > 0
      ? ['## Limitations', '', ...card.limitations.map((l) => `- ${l}`), '']
      : []),
  ];
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

/**
 * Saves a model bundle (format 2). When `path` ends in `.emovox` a single file is written:
 * `EMOVOX01` magic, uint32 little-endian header length, UTF-8 JSON manifest, zero padding to a
 * multiple of 4, raw little-endian float32 weights. Otherwise `path` is a directory receiving
 * `weights.bin` (raw float32 weights), `model.onnx` (unless `onnx: false`), `MODEL_CARD.md`
 * (with a card) and, last, `model.json` (the manifest). Every file is written atomically.
 * @param path - `.emovox` file or directory (created if missing).
 * @param bundle - config, weights (checked against the config), labels, metadata, and the
 *   format-2 fields (inputs, preprocess, normalisation, calibration, card).
 */
export function saveBundle(path: string, bundle: ModelBundle, options: SaveBundleOptions = {}): void {
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
  const files: NonNullable<BundleManifest['files']> = {};
  const set: { path: string; data: Uint8Array | string }[] = [
    { path: join(path, 'weights.bin'), data: blob },
  ];
  if (options.onnx ?? true) {
    const metadata: Record<string, string> = { ...(bundle.metadata ?? {}), 'emovox.bundleFormat': '2' };
    if (bundle.calibration) metadata['emovox.temperature'] = String(bundle.calibration.temperature);
    const onnx = exportOnnx(bundle.config, bundle.weights, {
      ...(bundle.labels ? { labels: bundle.labels } : {}),
      metadata,
    });
    set.push({ path: join(path, 'model.onnx'), data: onnx });
    files.onnx = 'model.onnx';
  }
  if (bundle.card) {
    set.push({ path: join(path, 'MODEL_CARD.md'), data: modelCardMarkdown(bundle.card, bundle.labels) });
    files.card = 'MODEL_CARD.md';
  }
  if (Object.keys(files).length > 0) manifest.files = files;
  // One atomic set, the manifest last: a failed or interrupted save keeps the previous bundle,
  // and a folder without model.json is not (yet) a bundle.
  set.push({ path: join(path, 'model.json'), data: JSON.stringify(manifest, null, 2) });
  writeFilesAtomicSync(set);
}

/** Options of {@link loadBundle}. */
export interface LoadBundleOptions {
  /** Labels the caller expects, in order; a bundle with others is refused (naming both lists). */
  labels?: readonly string[];
}

/**
 * Loads a bundle written by {@link saveBundle} (directory or `.emovox` file), format 1 or 2.
 * @throws EmovoxInputError(path, problem) for a missing, truncated or inconsistent bundle, one
 *   written in a newer format or with a configuration this emovox does not know, or (with
 *   `options.labels`) one with another label set.
 */
export function loadBundle(path: string, options: LoadBundleOptions = {}): ModelBundle {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (error) {
    throw new EmovoxInputError(path, `cannot read model: ${errorMessage(error)}`);
  }
  let bundle: ModelBundle;
  try {
    if (isDir) {
      const manifest: unknown = JSON.parse(readFileSync(join(path, 'model.json'), 'utf8'));
      bundle = unpack(path, manifest, new Uint8Array(readFileSync(join(path, 'weights.bin'))));
    } else {
      const bytes = new Uint8Array(readFileSync(path));
      if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== BUNDLE_MAGIC) {
        throw new EmovoxInputError(path, 'not an emovox model file (bad magic)');
      }
      const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
      if (headerLength > MAX_HEADER || 12 + headerLength > bytes.length)
        throw new EmovoxInputError(path, 'truncated header');
      const manifest: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
      bundle = unpack(path, manifest, bytes.subarray(12 + headerLength));
    }
  } catch (error) {
    if (error instanceof EmovoxInputError) {
      throw error.source === path ? error : new EmovoxInputError(path, error.problem);
    }
    throw new EmovoxInputError(path, `cannot read model: ${errorMessage(error)}`);
  }
  if (options.labels) checkBundleLabels(bundle, path, options.labels);
  return bundle;
}

/**
 * Refuses a bundle whose labels differ from `expected` (order included).
 * @throws EmovoxInputError(source, problem) naming both label lists.
 */
export function checkBundleLabels(bundle: ModelBundle, source: string, expected: readonly string[]): void {
  const have = bundle.labels;
  if (!have) {
    throw new EmovoxInputError(source, `bundle has no labels; expected [${expected.join(', ')}]`);
  }
  if (have.length !== expected.length || have.some((l, i) => l !== expected[i])) {
    throw new EmovoxInputError(
      source,
      `bundle labels [${have.join(', ')}] differ from the expected [${expected.join(', ')}]`,
    );
  }
}
