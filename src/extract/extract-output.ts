import { featureSetDefinition } from '../features/sets.js';
import { writeFilesAtomic, type AtomicFile } from '../util/atomic-file.js';
import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import { checkOutputPaths } from '../util/output-paths.js';
import { VERSION } from '../version.js';
import type { ExtractResult } from './extract.js';
import type { InputProblem } from './extract-files.js';
import { npyFileChunks } from './npy.js';
import { featureSpecHash } from './spec-hash.js';

/**
 * How matrix sets (frame count varies per file) are laid out:
 * - `padded`: one (files, maxFrames, bins) array, zeros after each file's last frame, plus
 *   `<stem>.lengths.npy`;
 * - `ragged`: one (totalFrames, bins) array of every file's frames one after the other, plus
 *   `<stem>.offsets.npy` ((files + 1,), file i is rows offsets[i] .. offsets[i+1]-1): no
 *   padding, whatever the lengths.
 */
export type MatrixLayout = 'padded' | 'ragged';

/** Options of {@link writeFeatureOutput}. */
export interface FeatureOutputOptions {
  /** Matrix layout (ignored for vector sets); default `padded`. */
  readonly layout?: MatrixLayout;
  /** Input problems found before extraction (unreadable folders, special files), kept in the sidecar. */
  readonly problems?: readonly InputProblem[];
  /** Per-file warnings and run notes are kept in the sidecar; default true. */
  readonly warnings?: boolean;
}

/** What {@link writeFeatureOutput} wrote. */
export interface FeatureOutputFiles {
  /** The main NPY file. */
  readonly npy: string;
  /** Its shape: (files, dims) for vector sets; (files, maxFrames, bins) padded or (totalFrames, bins) ragged for matrix sets. */
  readonly shape: readonly number[];
  /** Per-file frame counts NPY ('<i4', shape (files,)); padded matrix sets only. */
  readonly lengths?: string;
  /** Row offsets NPY ('<i4', shape (files + 1,)); ragged matrix sets only. */
  readonly offsets?: string;
  /** The JSON sidecar, `<npy>.json`, written last: its presence means the set is complete. */
  readonly sidecar: string;
  /** Matrix sets: bytes of feature values and bytes of the main array (the difference is padding). */
  readonly padding?: { readonly dataBytes: number; readonly arrayBytes: number };
}

/** Contents of the JSON sidecar written next to the NPY. */
export interface FeatureSidecar {
  readonly emovox: string;
  readonly spec: ExtractResult['spec'];
  readonly specHash: string;
  readonly kind: 'matrix' | 'vector';
  readonly layout?: MatrixLayout;
  readonly dtype: '<f4';
  readonly shape: readonly number[];
  /** Padded matrix sets: the lengths NPY file name. Both layouts: the frame count of each row / file. */
  readonly lengthsFile?: string;
  readonly lengths?: number[];
  /** Ragged matrix sets: the offsets NPY file name. */
  readonly offsetsFile?: string;
  /** Byte size of each file written with this sidecar, to detect a mismatched or damaged set. */
  readonly bytes: Record<string, number>;
  /** Column names (vector elements or matrix bins) when the set names them. */
  readonly names?: readonly string[];
  /** Row i of the NPY (padded / vector) or segment i (ragged) is files[i]. */
  readonly files: { readonly id: string; readonly source: string }[];
  readonly failures: { readonly source: string; readonly problem: string }[];
  /** Inputs that could not be used at all (unreadable folders, special files, missing paths). */
  readonly problems?: readonly InputProblem[];
  /** Non-fatal problems of files that were extracted (truncated audio read as far as it goes...). */
  readonly warnings?: { readonly source: string; readonly warning: string }[];
  readonly notes?: readonly string[];
  readonly stats: ExtractResult['stats'];
}

function companion(npyPath: string, suffix: string): string {
  return npyPath.toLowerCase().endsWith('.npy')
    ? `${npyPath.slice(0, -4)}.${suffix}.npy`
    : `${npyPath}.${suffix}.npy`;
}

/**
 * Every file {@link writeFeatureOutput} writes for `npyPath` (main array, companion NPY, sidecar),
 * so commands can check them all against their inputs before any work (see `checkOutputPaths`).
 *
 * @param npyPath - the main output.
 * @param kind - the set's kind; matrix sets have a companion file.
 * @param layout - matrix layout; default `padded`.
 */
export function featureOutputPaths(
  npyPath: string,
  kind: 'matrix' | 'vector',
  layout: MatrixLayout = 'padded',
): string[] {
  const out = [npyPath];
  if (kind === 'matrix') out.push(companion(npyPath, layout === 'ragged' ? 'offsets' : 'lengths'));
  out.push(`${npyPath}.json`);
  return out;
}

function byteLength(chunks: Uint8Array[]): number {
  return chunks.reduce((n, c) => n + c.length, 0);
}

/**
 * Writes an extraction result as NPY (format 1.0, '<f4', C order) plus a JSON sidecar
 * `<npyPath>.json` listing the files in row order, the spec, shapes, failures and warnings.
 *
 * Vector sets give one (files, dims) array. Matrix sets give, by `layout`, one padded
 * (files, maxFrames, bins) array plus `<stem>.lengths.npy` ('<i4', (files,)), or one ragged
 * (totalFrames, bins) array plus `<stem>.offsets.npy` ('<i4', (files + 1,)).
 *
 * The files are written as one set ({@link writeFilesAtomic}): each to a temporary file, fsynced,
 * then renamed into place with the sidecar last, so a full disk, an error or Ctrl-C leaves the
 * previous outputs exactly as they were, and a sidecar always describes the arrays beside it
 * (it records their byte sizes). The outputs must not be inputs (`checkOutputPaths`).
 *
 * @param npyPath - output NPY path; must end in `.npy`.
 * @param result - what `extractFeatures` returned; at least one file must have succeeded (an
 *   empty result would replace good outputs with empty ones, so it is refused).
 * @param options - matrix `layout` (default padded), input `problems` to record.
 * @throws EmovoxParameterError for a bad path; EmovoxInputError when nothing succeeded, when the
 *   values disagree in length, or when a file cannot be written (naming it; previous outputs kept).
 */
export async function writeFeatureOutput(
  npyPath: string,
  result: ExtractResult,
  options: FeatureOutputOptions = {},
): Promise<FeatureOutputFiles> {
  const { spec, results } = result;
  const kind = featureSetDefinition(spec.name).kind;
  const layout: MatrixLayout = options.layout ?? 'padded';
  if (layout !== 'padded' && layout !== 'ragged') {
    throw new EmovoxParameterError('layout', `must be padded or ragged, got ${String(layout)}`);
  }
  const paths = featureOutputPaths(npyPath, kind, layout);
  checkOutputPaths(paths, { inputs: results.map((r) => r.source) });
  checkOutputPaths([npyPath], { extension: '.npy' });
  if (results.length === 0) {
    throw new EmovoxInputError(
      npyPath,
      'not written: no file was extracted (every file failed); the previous outputs, if any, are left as they were',
    );
  }
  let shape: number[];
  let lengths: number[] | undefined;
  let padding: FeatureOutputFiles['padding'];
  const files: AtomicFile[] = [];
  let companionFile: string | undefined;
  if (kind === 'vector') {
    const dims = results[0].value.vector?.length ?? 0;
    const rows = results.map((r) => {
      const v = r.value.vector;
      if (!v || v.length !== dims)
        throw new EmovoxInputError(r.source, `feature vector length differs from ${dims}`);
      return v;
    });
    shape = [rows.length, dims];
    files.push({ path: npyPath, data: npyFileChunks('<f4', shape, rows) });
  } else {
    const bins = results[0].value.matrix?.bins ?? 0;
    lengths = results.map((r) => {
      const m = r.value.matrix;
      if (!m || m.bins !== bins)
        throw new EmovoxInputError(r.source, `feature matrix has other than ${bins} bins`);
      return m.frames;
    });
    const totalFrames = lengths.reduce((a, b) => a + b, 0);
    const chunks: Float32Array[] = [];
    companionFile = paths[1];
    if (layout === 'ragged') {
      shape = [totalFrames, bins];
      for (const r of results) chunks.push(r.value.matrix!.data);
      const offsets = new Int32Array(lengths.length + 1);
      for (let i = 0; i < lengths.length; i++) offsets[i + 1] = offsets[i] + lengths[i];
      files.push({ path: npyPath, data: npyFileChunks('<f4', shape, chunks) });
      files.push({ path: companionFile, data: npyFileChunks('<i4', [offsets.length], [offsets]) });
    } else {
      const maxFrames = lengths.reduce((a, b) => Math.max(a, b), 0);
      shape = [results.length, maxFrames, bins];
      const pad = new Float32Array(maxFrames * bins);
      for (const r of results) {
        const m = r.value.matrix!;
        chunks.push(m.data);
        const missing = (maxFrames - m.frames) * bins;
        if (missing > 0) chunks.push(pad.subarray(0, missing));
      }
      files.push({ path: npyPath, data: npyFileChunks('<f4', shape, chunks) });
      files.push({
        path: companionFile,
        data: npyFileChunks('<i4', [lengths.length], [Int32Array.from(lengths)]),
      });
    }
    padding = { dataBytes: totalFrames * bins * 4, arrayBytes: shape.reduce((a, b) => a * b, 1) * 4 };
  }
  const bytes: Record<string, number> = {};
  for (const f of files) bytes[f.path] = byteLength(f.data as Uint8Array[]);
  const keepWarnings = options.warnings ?? true;
  const warnings = keepWarnings
    ? results.flatMap((r) => r.warnings.map((warning) => ({ source: r.source, warning })))
    : [];
  const sidecar: FeatureSidecar = {
    emovox: VERSION,
    spec,
    specHash: featureSpecHash(spec),
    kind,
    layout: kind === 'matrix' ? layout : undefined,
    dtype: '<f4',
    shape,
    lengthsFile: kind === 'matrix' && layout === 'padded' ? companionFile : undefined,
    offsetsFile: kind === 'matrix' && layout === 'ragged' ? companionFile : undefined,
    lengths,
    bytes,
    names: results[0].value.names,
    files: results.map((r) => ({ id: r.id, source: r.source })),
    failures: result.failures.map((f) => ({ source: f.source, problem: f.problem })),
    problems: options.problems && options.problems.length > 0 ? options.problems : undefined,
    warnings: warnings.length > 0 ? warnings : undefined,
    notes: keepWarnings && result.notes.length > 0 ? result.notes : undefined,
    stats: result.stats,
  };
  const sidecarPath = paths[paths.length - 1];
  files.push({ path: sidecarPath, data: `${JSON.stringify(sidecar, null, 2)}\n` });
  await writeFilesAtomic(files);
  return {
    npy: npyPath,
    shape,
    lengths: kind === 'matrix' && layout === 'padded' ? companionFile : undefined,
    offsets: kind === 'matrix' && layout === 'ragged' ? companionFile : undefined,
    sidecar: sidecarPath,
    padding,
  };
}
