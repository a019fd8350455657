// `emovox predict --queue`: the same PredictFilesResult as predictFiles, scored by workers.
import { resolve } from 'node:path';
import { bundledModels } from '../infer/bundled.js';
import {
  PREDICT_MAX_DURATION_S,
  type FileFailure,
  type FilePrediction,
  type PredictFilesOptions,
  type PredictFilesResult,
} from '../infer/batch.js';
import { Recognizer } from '../infer/recognizer.js';
import { EmovoxParameterError } from '../util/errors.js';
import { bundleDigest } from './bundle-digest.js';
import {
  chunkIndices,
  DEFAULT_JOB_SIZE,
  runOnQueue,
  type PlannedJob,
  type QueueClientOptions,
} from './client.js';
import { limitToJson } from './jobs.js';

/** Options of {@link predictOnQueue}: those of `predictFiles` (without `workers`) plus the queue's. */
export type QueuePredictOptions = Omit<PredictFilesOptions, 'workers' | 'timeoutS'> & QueueClientOptions;

/**
 * Scores files on the queue's workers and returns what `predictFiles` returns for them (results
 * and failures in input order, the same numbers). The model is loaded here first, so a model that
 * cannot be used fails before anything is enqueued; workers load the bundled model of that name
 * or the bundle at the same path, and refuse the job when its files' sha256 differs from the
 * client's copy.
 *
 * @throws EmovoxInputError(model path, problem) when the model cannot be loaded; see `runOnQueue`.
 */
export async function predictOnQueue(
  files: readonly string[],
  options: QueuePredictOptions,
): Promise<PredictFilesResult> {
  const started = performance.now();
  const maxDuration = options.maxDuration ?? PREDICT_MAX_DURATION_S;
  if (!(maxDuration > 0)) throw new EmovoxParameterError('maxDuration', `must be > 0, got ${maxDuration}`);
  const local = await Recognizer.load(options.model);
  const path = local.path;
  await local.release();
  const bundled = bundledModels().find((m) => m.path === path);
  const model = {
    ...(bundled ? { name: bundled.name } : { path: resolve(path) }),
    sha256: bundleDigest(path),
  };
  const jobs: PlannedJob[] = chunkIndices(files.length, options.jobSize ?? DEFAULT_JOB_SIZE).map(
    (indices, chunk) => ({
      v: 1,
      kind: 'predict',
      chunk,
      items: indices.map((index) => ({ index, path: resolve(files[index]) })),
      model,
      maxDuration: limitToJson(maxDuration),
      ...(options.timeline ? { timeline: options.timeline } : {}),
    }),
  );
  let failed = 0;
  const run = await runOnQueue(
    { kind: 'predict', items: files.length, jobs },
    options,
    (_index, outcome) => {
      if (!outcome.ok) failed++;
    },
    (stored) => options.onProgress?.(stored, files.length, failed),
  );
  try {
    const results: FilePrediction[] = [];
    const failures: FileFailure[] = [];
    let audioS = 0;
    for (let i = 0; i < files.length; i++) {
      const outcome = run.outcomes.get(i);
      if (outcome?.ok && outcome.prediction) {
        const prediction = outcome.prediction as unknown as Omit<FilePrediction, 'file'>;
        results.push({ file: files[i], ...prediction });
        audioS += prediction.durationS;
      } else
        failures.push({
          file: files[i],
          problem: outcome && !outcome.ok ? outcome.problem : 'no result came back from the queue',
        });
    }
    const workers = run.workers.length;
    await run.finish();
    return { results, failures, workers, audioS, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    await run.close();
    throw error;
  }
}
