import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { augmentPipeline, encodeWav, loadAudio, trim, type AugmentStep } from '../audio/index.js';
import { defaultFeatureCacheDir, sha256Hex, WorkerPool, workerScript } from '../extract/index.js';
import { canonicalJson } from '../util/canonical-json.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { EmovoxInputError, errorMessage } from '../util/errors.js';

/** Augmentation steps a recipe may use (all serialisable; `mix` needs noise arrays and is left out). */
export type RecipeAugmentStep = Exclude<AugmentStep, { op: 'mix' }>;

/**
 * How a derived copy of an audio file is made, in this order: cut a segment, trim leading and
 * trailing silence, augment. Every field is optional; an empty transform is the file itself.
 */
export interface AudioTransform {
  /** Keep [start, end) seconds (corpora that label segments of long files). */
  segment?: { start: number; end?: number };
  /** librosa.effects.trim with this threshold in dB below the loudest frame. */
  trimSilence?: { topDb: number };
  /** `augmentPipeline(steps, seed)` applied as item `index` (copy k of item i has its own index). */
  augment?: { steps: readonly RecipeAugmentStep[]; seed: number; index: number };
}

/** Bumped when the derivation code changes its output for the same transform. */
export const DERIVED_AUDIO_VERSION = 1;

/** Folder of derived audio: `<feature cache>/../derived` unless given. */
export function defaultDerivedAudioDir(): string {
  return join(defaultFeatureCacheDir(), '..', 'derived');
}

/** True when the transform changes nothing (the source file is used as is). */
export function isIdentityTransform(t: AudioTransform): boolean {
  return !t.segment && !t.trimSilence && !t.augment;
}

/**
 * Makes one derived copy (or finds it in the cache) and returns its path: a float32 WAV at the
 * source's own sample rate, named by the sha256 of (source bytes, transform, version), so a
 * changed source or transform never reuses a stale copy. Written atomically.
 *
 * @throws EmovoxInputError(path, problem) when the source cannot be read or decoded, or the
 *   transform leaves no audio (an all-silent file trimmed to nothing).
 */
export async function deriveAudio(path: string, transform: AudioTransform, dir: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new EmovoxInputError(path, `cannot read file (${errorMessage(error)})`);
  }
  const key = sha256Hex(
    canonicalJson({ v: DERIVED_AUDIO_VERSION, file: sha256Hex(bytes), transform: transform as never }),
  );
  const out = join(dir, key.slice(0, 2), `${key}.wav`);
  if (existsSync(out)) return out;
  const audio = await loadAudio(new Uint8Array(bytes), { mono: true, name: path });
  let y = audio.samples;
  const sr = audio.sampleRate;
  if (transform.segment) {
    const start = Math.max(0, Math.floor(transform.segment.start * sr));
    const end = transform.segment.end === undefined ? y.length : Math.floor(transform.segment.end * sr);
    y = y.slice(start, Math.min(y.length, end));
  }
  if (transform.trimSilence) y = trim(y, { topDb: transform.trimSilence.topDb }).trimmed;
  if (y.length === 0) throw new EmovoxInputError(path, 'no audio left after cutting / trimming silence');
  if (transform.augment) {
    y = augmentPipeline(transform.augment.steps, transform.augment.seed)(y, sr, transform.augment.index);
    // Noise and gain can push peaks past full scale; float WAV keeps them, features do not care.
  }
  mkdirSync(join(dir, key.slice(0, 2)), { recursive: true });
  await writeFileAtomic(out, encodeWav(y, sr, { bitDepth: 'float32' }, path));
  return out;
}

/** Message to a derivation worker. */
export interface DeriveRequest {
  readonly index: number;
  readonly path: string;
  readonly transform: AudioTransform;
  readonly dir: string;
}

/** Reply of a derivation worker. */
export type DeriveResponse =
  | { readonly index: number; readonly ok: true; readonly path: string }
  | { readonly index: number; readonly ok: false; readonly problem: string };

/** Options of {@link deriveAudioBatch}. */
export interface DeriveOptions {
  /** Cache folder (default {@link defaultDerivedAudioDir}). */
  dir?: string;
  /** Worker threads (default all cores, capped at the work); 0 runs on the calling thread. */
  workers?: number;
  /** Called after each item. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Derives many copies on all cores. Identity transforms return the source path without work.
 * @returns per input, the derived path or the problem that stopped it (the batch goes on).
 */
export async function deriveAudioBatch(
  jobs: readonly { path: string; transform: AudioTransform }[],
  options: DeriveOptions = {},
): Promise<({ path: string } | { problem: string })[]> {
  const dir = options.dir ?? defaultDerivedAudioDir();
  const out: ({ path: string } | { problem: string })[] = new Array(jobs.length);
  const work: number[] = [];
  jobs.forEach((job, i) => {
    if (isIdentityTransform(job.transform)) out[i] = { path: job.path };
    else work.push(i);
  });
  let done = jobs.length - work.length;
  const tick = () => options.onProgress?.(++done, jobs.length);
  const workers = Math.min(options.workers ?? availableParallelism(), work.length);
  if (workers === 0) {
    for (const i of work) {
      try {
        out[i] = { path: await deriveAudio(jobs[i].path, jobs[i].transform, dir) };
      } catch (error) {
        out[i] = { problem: error instanceof EmovoxInputError ? error.message : errorMessage(error) };
      }
      tick();
    }
    return out;
  }
  const pool = new WorkerPool<DeriveRequest, DeriveResponse>(
    workerScript(import.meta.url, './derive-worker'),
    workers,
  );
  try {
    await Promise.all(
      work.map(async (i) => {
        try {
          const r = await pool.run({ index: i, path: jobs[i].path, transform: jobs[i].transform, dir });
          out[i] = r.ok ? { path: r.path } : { problem: r.problem };
        } catch (error) {
          out[i] = { problem: `${jobs[i].path}: ${errorMessage(error)}` };
        }
        tick();
      }),
    );
  } finally {
    await pool.close();
  }
  return out;
}
