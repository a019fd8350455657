import { writeFile } from 'node:fs/promises';
import { VERSION } from '../version.js';
import type { ExtractResult } from './extract.js';
import { writeNpy } from './npy.js';
import { featureSetDefinition } from '../features/sets.js';
import { featureSpecHash } from './spec-hash.js';

/** What {@link writeFeatureOutput} wrote. */
export interface FeatureOutputFiles {
  /** The main NPY file. */
  readonly npy: string;
  /** Its shape: (files, dims) for vector sets, (files, maxFrames, bins) for matrix sets. */
  readonly shape: readonly number[];
  /** Per-file frame counts NPY ('<i4', shape (files,)); matrix sets only. */
  readonly lengths?: string;
  /** The JSON sidecar, `<npy>.json`. */
  readonly sidecar: string;
}

/** Contents of the JSON sidecar written next to the NPY. */
export interface FeatureSidecar {
  readonly emovox: string;
  readonly spec: ExtractResult['spec'];
  readonly specHash: string;
  readonly kind: 'matrix' | 'vector';
  readonly dtype: '<f4';
  readonly shape: readonly number[];
  /** Matrix sets: the lengths NPY file name and the frame count of each row. */
  readonly lengthsFile?: string;
  readonly lengths?: number[];
  /** Column names (vector elements or matrix bins) when the set names them. */
  readonly names?: readonly string[];
  /** Row i of the NPY is files[i]. */
  readonly files: { readonly id: string; readonly source: string }[];
  readonly failures: { readonly source: string; readonly problem: string }[];
  readonly stats: ExtractResult['stats'];
}

function lengthsPath(npyPath: string): string {
  return npyPath.toLowerCase().endsWith('.npy')
    ? `${npyPath.slice(0, -4)}.lengths.npy`
    : `${npyPath}.lengths.npy`;
}

/**
 * Writes an extraction result as NPY (format 1.0, '<f4', C order) plus a JSON sidecar
 * `<npyPath>.json` listing the files in row order, the spec, shapes and failures.
 *
 * Vector sets give one (files, dims) array. Matrix sets (frames vary per file) give one padded
 * (files, maxFrames, bins) array, zeros after each file's last frame, plus `<stem>.lengths.npy`
 * ('<i4', (files,)) with each file's true frame count; the lengths are in the sidecar too.
 *
 * @param npyPath - output NPY path (overwritten).
 * @param result - what `extractFeatures` returned.
 * @throws Error if the vector lengths or matrix bin counts differ between files.
 */
export async function writeFeatureOutput(
  npyPath: string,
  result: ExtractResult,
): Promise<FeatureOutputFiles> {
  const { spec, results } = result;
  const kind = featureSetDefinition(spec.name).kind;
  let shape: number[];
  let lengths: number[] | undefined;
  let lengthsFile: string | undefined;
  if (kind === 'vector') {
    const dims = results[0]?.value.vector?.length ?? 0;
    const rows = results.map((r) => {
      const v = r.value.vector;
      if (!v || v.length !== dims) throw new Error(`${r.source}: feature vector length differs from ${dims}`);
      return v;
    });
    shape = [rows.length, dims];
    await writeNpy(npyPath, '<f4', shape, rows);
  } else {
    const bins = results[0]?.value.matrix?.bins ?? 0;
    lengths = results.map((r) => {
      const m = r.value.matrix;
      if (!m || m.bins !== bins) throw new Error(`${r.source}: feature matrix has other than ${bins} bins`);
      return m.frames;
    });
    const maxFrames = lengths.reduce((a, b) => Math.max(a, b), 0);
    shape = [results.length, maxFrames, bins];
    const padding = new Float32Array(maxFrames * bins);
    const chunks: Float32Array[] = [];
    for (const r of results) {
      const m = r.value.matrix!;
      chunks.push(m.data);
      const missing = (maxFrames - m.frames) * bins;
      if (missing > 0) chunks.push(padding.subarray(0, missing));
    }
    await writeNpy(npyPath, '<f4', shape, chunks);
    lengthsFile = lengthsPath(npyPath);
    await writeNpy(lengthsFile, '<i4', [lengths.length], [Int32Array.from(lengths)]);
  }
  const sidecar: FeatureSidecar = {
    emovox: VERSION,
    spec,
    specHash: featureSpecHash(spec),
    kind,
    dtype: '<f4',
    shape,
    lengthsFile,
    lengths,
    names: results[0]?.value.names,
    files: results.map((r) => ({ id: r.id, source: r.source })),
    failures: result.failures.map((f) => ({ source: f.source, problem: f.problem })),
    stats: result.stats,
  };
  const sidecarPath = `${npyPath}.json`;
  await writeFile(sidecarPath, `${JSON.stringify(sidecar, null, 2)}\n`);
  return { npy: npyPath, shape, lengths: lengthsFile, sidecar: sidecarPath };
}
