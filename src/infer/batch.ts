// Many files through a model on all cores (worker threads, each with its own onnxruntime
// session), one bad file never stopping the rest. `emovox predict` is a thin layer over this.
import { availableParallelism } from 'node:os';
import { workerScript, WorkerPool } from '../extract/worker-pool.js';
import { EmovoxInputError, errorMessage } from '../util/errors.js';
import { Recognizer } from './recognizer.js';
import type { EmotionScores } from './scores.js';
import type { TimelineSegment } from './timeline-core.js';
import type { PredictRequest, PredictResponse } from './predict-worker.js';
import { predictOne } from './predict-one.js';

/** One file's result. */
export interface FilePrediction extends EmotionScores {
  file: string;
  durationS: number;
  /** With `timeline`: the scored speech windows. */
  segments?: Omit<TimelineSegment, 'raw'>[];
}

/** A file that failed, and why. */
export interface FileFailure {
  file: string;
  problem: string;
}

/** Options of {@link predictFiles}. */
export interface PredictFilesOptions {
  /** Bundled model name or bundle path (default: the bundled model). */
  model?: string;
  /** Score speech windows over time instead of the whole file. */
  timeline?: { window?: number; hop?: number; vad?: 'silero' | 'energy' | 'none'; smoothing?: number };
  /** Worker threads (default: all cores, at most one per file; 0 = this thread). */
  workers?: number;
  /** Longest audio accepted, seconds (default 1800; checked before decoding). */
  maxDuration?: number;
  /** Per-file time limit in seconds for workers (default 600). */
  timeoutS?: number;
  /** Called after each file. */
  onProgress?: (done: number, total: number, failed: number) => void;
}

/** What {@link predictFiles} returns: results and failures, each in input order. */
export interface PredictFilesResult {
  results: FilePrediction[];
  failures: FileFailure[];
  /** Worker threads used (0 = the calling thread). */
  workers: number;
  /** Audio seconds scored. */
  audioS: number;
  /** Wall time, seconds. */
  seconds: number;
}

/** Longest audio `predict` accepts by default, seconds. */
export const PREDICT_MAX_DURATION_S = 1800;

/**
 * Scores files with a model, in parallel. The model is loaded (and checked) once here first,
 * so a bad model fails before any file is read.
 * @param files - audio file paths (any format loadAudio reads).
 * @param options - model, timeline, workers, limits, progress.
 * @throws EmovoxInputError(model path, problem) when the model cannot be loaded.
 */
export async function predictFiles(
  files: readonly string[],
  options: PredictFilesOptions = {},
): Promise<PredictFilesResult> {
  const started = performance.now();
  const local = await Recognizer.load(options.model);
  const maxDuration = options.maxDuration ?? PREDICT_MAX_DURATION_S;
  const wanted = options.workers ?? availableParallelism();
  if (!(Number.isInteger(wanted) && wanted >= 0))
    throw new EmovoxInputError('workers', `must be an integer >= 0, got ${wanted}`);
  // Below a handful of files the worker start-up (about 0.3 s each) costs more than it saves.
  const workers = files.length < 4 ? 0 : Math.min(wanted, availableParallelism(), files.length);
  const out: (PredictResponse | undefined)[] = new Array(files.length);
  let done = 0;
  let failed = 0;
  const tick = (r: PredictResponse) => {
    done++;
    if (!r.ok) failed++;
    options.onProgress?.(done, files.length, failed);
  };
  const request = (index: number): PredictRequest => ({
    index,
    file: files[index],
    model: local.path,
    maxDuration,
    ...(options.timeline ? { timeline: options.timeline } : {}),
  });
  try {
    if (workers <= 1) {
      for (let i = 0; i < files.length; i++) {
        out[i] = await predictOne(request(i), local);
        tick(out[i]!);
      }
    } else {
      const pool = new WorkerPool<PredictRequest, PredictResponse>(
        workerScript(import.meta.url, './predict-worker'),
        workers,
        { inFlight: 2 },
      );
      try {
        await Promise.all(
          files.map(async (file, i) => {
            try {
              out[i] = await pool.run(request(i), [], 1000 * (options.timeoutS ?? 600));
            } catch (error) {
              out[i] = { index: i, ok: false, problem: errorMessage(error) };
            }
            tick(out[i]);
          }),
        );
      } finally {
        await pool.close();
      }
    }
  } finally {
    await local.release();
  }
  const results: FilePrediction[] = [];
  const failures: FileFailure[] = [];
  let audioS = 0;
  out.forEach((r, i) => {
    if (r?.ok) {
      results.push({ file: files[i], ...r.prediction });
      audioS += r.prediction.durationS;
    } else failures.push({ file: files[i], problem: r?.problem ?? 'not processed' });
  });
  return {
    results,
    failures,
    workers: workers <= 1 ? 0 : workers,
    audioS,
    seconds: (performance.now() - started) / 1000,
  };
}
