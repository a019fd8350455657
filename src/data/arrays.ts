import { availableParallelism } from 'node:os';
import { ExtractionPool, extractFeatures, type FeatureCache } from '../extract/index.js';
import { featureSetDefinition, type FeatureSpec, type FeatureValue } from '../features/index.js';
import type { InputLayout } from '../models/normalization.js';
import { EmovoxInputError } from '../util/errors.js';

/**
 * How one model input is computed from an audio file.
 * - `vector`: the vectors of `sets` (vector feature sets) concatenated -> [dims].
 * - `frames`: the matrices of `sets` (matrix feature sets with the same hop) concatenated frame by
 *   frame -> [frames, dims], frames cut to the shortest set's count and to `maxFrames`.
 * - `image`: the one matrix set in `sets` (frames x bins) as a one-channel image [1, bins, frames]
 *   (height = frequency, width = time).
 */
export interface InputSpec {
  kind: InputLayout;
  sets: FeatureSpec[];
  /** `frames`: keep at most this many frames, from the start (0 = all; default 0). */
  maxFrames?: number;
}

/** Model input name (`features`, `frames`, `spectrogram`, `extra`, ...) -> how to compute it. */
export type InputSpecs = Record<string, InputSpec>;

/**
 * One input's values for every item, one row per item. Rows of `frames` inputs are ragged
 * (`length_i * dims` values); the others all have `shape`'s size.
 */
export interface InputArray {
  layout: InputLayout;
  /** Item shape: vector [dims], frames [-1, dims] (-1 = varies), image [c, h, w]. */
  shape: number[];
  /** Normalisation channels: dims (vector, frames) or c * h (image). */
  channels: number;
  rows: Float32Array[];
  /** Value / column names when the feature sets name them. */
  names?: string[];
}

/** What {@link extractArrays} returns. */
export interface ExtractedArrays {
  /** Input name -> values, rows aligned with the given paths (rows of failed paths are empty). */
  inputs: Record<string, InputArray>;
  /** Per path: undefined when every set succeeded, else the first problem. */
  problems: (string | undefined)[];
  cacheHits: number;
  extracted: number;
}

/** Options of {@link extractArrays}. */
export interface ExtractArraysOptions {
  /** Feature cache (a FeatureCache, a folder, or false); default the shared default cache. */
  cache?: FeatureCache | string | false;
  /** Worker threads (default all cores; 0 = calling thread). */
  workers?: number;
  /** Called after each file of each set: files done over the total of all sets. */
  onProgress?: (done: number, total: number) => void;
}

/** Checks an input spec against the feature-set registry; throws naming `source`. */
export function checkInputSpec(name: string, spec: InputSpec, source: string): void {
  if (spec.sets.length === 0) throw new EmovoxInputError(source, `input ${name} has no feature sets`);
  for (const set of spec.sets) {
    const kind = featureSetDefinition(set.name).kind;
    const wanted = spec.kind === 'vector' ? 'vector' : 'matrix';
    if (kind !== wanted) {
      throw new EmovoxInputError(
        source,
        `input ${name} (${spec.kind}) needs ${wanted} feature sets; ${set.name} is a ${kind} set`,
      );
    }
  }
  if (spec.kind === 'image' && spec.sets.length !== 1) {
    throw new EmovoxInputError(source, `input ${name} (image) takes exactly one feature set`);
  }
  if (spec.maxFrames !== undefined && !(Number.isInteger(spec.maxFrames) && spec.maxFrames >= 0)) {
    throw new EmovoxInputError(source, `input ${name}: maxFrames must be an integer >= 0`);
  }
}

/** Combines one file's values of every set of an input into its row. */
export function combineRow(
  spec: InputSpec,
  values: readonly FeatureValue[],
  source: string,
): {
  row: Float32Array;
  dims: number;
  frames: number;
} {
  if (spec.kind === 'vector') {
    const dims = values.reduce((n, v) => n + v.vector!.length, 0);
    const row = new Float32Array(dims);
    let at = 0;
    for (const v of values) {
      row.set(v.vector!, at);
      at += v.vector!.length;
    }
    return { row, dims, frames: 1 };
  }
  const matrices = values.map((v) => v.matrix!);
  if (spec.kind === 'image') {
    const m = matrices[0];
    const row = new Float32Array(m.frames * m.bins);
    for (let t = 0; t < m.frames; t++)
      for (let b = 0; b < m.bins; b++) row[b * m.frames + t] = m.data[t * m.bins + b];
    return { row, dims: m.bins, frames: m.frames };
  }
  let frames = Math.min(...matrices.map((m) => m.frames));
  const longest = Math.max(...matrices.map((m) => m.frames));
  // Sets framed with the same hop differ by at most a frame or two (centring); more means
  // mismatched hops, which would silently misalign the columns.
  if (longest - frames > 2) {
    throw new EmovoxInputError(
      source,
      `feature sets give ${matrices.map((m) => m.frames).join(' / ')} frames: use the same hop length`,
    );
  }
  if (spec.maxFrames) frames = Math.min(frames, spec.maxFrames);
  const dims = matrices.reduce((n, m) => n + m.bins, 0);
  const row = new Float32Array(frames * dims);
  for (let t = 0; t < frames; t++) {
    let at = t * dims;
    for (const m of matrices) {
      row.set(m.data.subarray(t * m.bins, (t + 1) * m.bins), at);
      at += m.bins;
    }
  }
  return { row, dims, frames };
}

/**
 * Computes every model input for every audio file through the extraction pipeline and its
 * cache (each feature set extracted once per file, shared between inputs that use it).
 *
 * @param paths - audio files (originals or derived copies).
 * @param specs - model input name -> {@link InputSpec}.
 * @returns rows per input aligned with `paths`; files that failed any set get an empty row and a
 *   problem, and the caller drops them.
 * @throws EmovoxInputError when a spec is invalid or items disagree on a fixed shape.
 */
export async function extractArrays(
  paths: readonly string[],
  specs: InputSpecs,
  options: ExtractArraysOptions = {},
): Promise<ExtractedArrays> {
  for (const [name, spec] of Object.entries(specs)) checkInputSpec(name, spec, 'features');
  const unique = new Map<string, FeatureSpec>();
  for (const spec of Object.values(specs)) for (const set of spec.sets) unique.set(JSON.stringify(set), set);
  const problems: (string | undefined)[] = new Array(paths.length).fill(undefined);
  const values = new Map<string, (FeatureValue | undefined)[]>();
  const total = unique.size * paths.length;
  let base = 0;
  let cacheHits = 0;
  let extracted = 0;
  const requested = options.workers ?? availableParallelism();
  // Several sets share one set of worker threads: each thread costs ~0.1 s of CPU to start.
  const pool =
    unique.size > 1 && Number.isInteger(requested) && requested > 0 && paths.length > 0
      ? new ExtractionPool(Math.min(requested, paths.length))
      : undefined;
  try {
    for (const [key, set] of unique) {
      const result = await extractFeatures(paths, set, {
        cache: options.cache,
        ...(pool ? { pool } : { workers: options.workers }),
        onProgress: (p) => options.onProgress?.(base + p.done, total),
      });
      base += paths.length;
      cacheHits += result.stats.cacheHits;
      extracted += result.stats.extracted;
      const column: (FeatureValue | undefined)[] = new Array(paths.length).fill(undefined);
      for (const r of result.results) column[r.index] = r.value;
      for (const f of result.failures) problems[f.index] ??= `${set.name}: ${f.problem}`;
      values.set(key, column);
    }
  } finally {
    await pool?.close();
  }
  const inputs: Record<string, InputArray> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const columns = spec.sets.map((s) => values.get(JSON.stringify(s))!);
    const rows: Float32Array[] = new Array(paths.length);
    let shape: number[] | undefined;
    paths.forEach((path, i) => {
      const parts = columns.map((c) => c[i]);
      if (problems[i] !== undefined || parts.some((p) => p === undefined)) {
        rows[i] = new Float32Array(0);
        return;
      }
      const { row, dims, frames } = combineRow(spec, parts as FeatureValue[], path);
      const itemShape =
        spec.kind === 'vector' ? [dims] : spec.kind === 'frames' ? [-1, dims] : [1, dims, frames];
      if (!shape) shape = itemShape;
      else if (shape.join() !== itemShape.join()) {
        problems[i] = `input ${name} has shape [${itemShape.join(', ')}], other files [${shape.join(', ')}]`;
        rows[i] = new Float32Array(0);
        return;
      }
      rows[i] = row;
    });
    shape ??= spec.kind === 'image' ? [1, 0, 0] : spec.kind === 'frames' ? [-1, 0] : [0];
    const firstOk = problems.findIndex((p) => p === undefined);
    const names =
      spec.kind !== 'image' && firstOk >= 0 && columns.every((c) => c[firstOk]?.names)
        ? columns.flatMap((c) => [...c[firstOk]!.names!])
        : undefined;
    inputs[name] = {
      layout: spec.kind,
      shape,
      channels: spec.kind === 'image' ? shape[0] * shape[1] : shape[shape.length - 1],
      rows,
      ...(names && names.length === shape[shape.length - 1] ? { names } : {}),
    };
  }
  return { inputs, problems, cacheHits, extracted };
}
