// The worker side: `emovox worker` takes jobs from the queues and runs their items on all local
// cores (the extraction worker pool, the predict worker threads, a child process per trial),
// storing each item's outcome in the run's state as soon as it is known.
import { fork } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { defaultFeatureCacheDir, encodeFeatureRecord } from '../extract/cache.js';
import { WorkerPool, workerScript } from '../extract/worker-pool.js';
import type { ExtractRequest, ExtractResponse } from '../extract/worker.js';
import { ResponseDecoder } from '../extract/response-value.js';
import type { PredictRequest, PredictResponse } from '../infer/predict-worker.js';
import { EmovoxParameterError, errorMessage } from '../util/errors.js';
import { bundleDigest } from './bundle-digest.js';
import { parseQueueAddress, type QueueAddress } from './connection.js';
import {
  checkJob,
  JOB_KINDS,
  JobRefused,
  limitFromJson,
  QUEUE_PREFIX,
  type FeaturesJob,
  type ItemOutcome,
  type JobItem,
  type JobKind,
  type PredictJob,
  type QueueJob,
  type TuneJob,
} from './jobs.js';
import { RunStore } from './run-store.js';
import type { TrialReply, TrialRequest } from './trial-process.js';

/** Options of {@link startQueueWorker} (`emovox worker`). */
export interface QueueWorkerOptions {
  readonly address: QueueAddress;
  /** Threads for feature and predict items; default `os.availableParallelism()`. */
  readonly threads?: number;
  /** Feature / predict jobs taken at a time (the next one is fetched while the last items run); default 2. Trials run one at a time. */
  readonly concurrency?: number;
  /** This worker's feature cache folder when a job names none; `false` for none. Default: the standard folder (`defaultFeatureCacheDir`). */
  readonly cache?: string | false;
  /** Job kinds to take; default all. */
  readonly kinds?: readonly JobKind[];
  /** Seconds a job's lock lasts without renewal (renewed every half of it while the job runs); a job whose worker died is handed to another after this. Default 30. */
  readonly lockDurationS?: number;
  /** Seconds between checks for jobs whose lock expired (stalled); default 30. */
  readonly stalledIntervalS?: number;
  /** Only read and write below these folders (audio, caches, models, run folders); default: anywhere this user may. */
  readonly allowPaths?: readonly string[];
  /** Per-file limit with threads, seconds (decode + features / scoring); default 600. */
  readonly timeoutS?: number;
  /** One line per event (job start and end, refusals, outages); default: nowhere. */
  readonly log?: (line: string) => void;
}

/** A running worker. */
export interface QueueWorkerHandle {
  /** `host:pid`, stored with every outcome. */
  readonly id: string;
  /** Stops taking jobs, waits for the running ones, closes threads and connections. */
  close(): Promise<void>;
}

/** How many times a job may lose its worker (lock expired) before it fails. */
export const MAX_STALLED = 3;

function childScript(stem: string): { path: string; execArgv: string[] } {
  if (import.meta.url.endsWith('.ts'))
    return {
      path: fileURLToPath(new URL(`${stem}.ts`, import.meta.url)),
      execArgv: ['--import', import.meta.resolve('tsx')],
    };
  return { path: fileURLToPath(new URL(`${stem}.js`, import.meta.url)), execArgv: [] };
}

/**
 * Starts a worker on every queue in `kinds`. Each job's payload is checked ({@link checkJob});
 * a payload this worker refuses fails at once with the reason. Items already stored (a job
 * retried after its worker died) are skipped; each new outcome is stored as soon as it is known,
 * so a worker killed mid-job loses only the items it was running.
 *
 * @throws EmovoxParameterError for bad options (threads, concurrency, lock times, kinds).
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorkerHandle> {
  const connection = parseQueueAddress(options.address);
  const log = options.log ?? (() => {});
  const threads = options.threads ?? availableParallelism();
  const concurrency = options.concurrency ?? 2;
  const lockMs = 1000 * (options.lockDurationS ?? 30);
  const stalledMs = 1000 * (options.stalledIntervalS ?? 30);
  const timeoutMs = 1000 * (options.timeoutS ?? 600);
  const kinds = options.kinds ?? JOB_KINDS;
  if (!(Number.isInteger(threads) && threads >= 1))
    throw new EmovoxParameterError('--workers', `must be an integer >= 1, got ${threads}`);
  if (!(Number.isInteger(concurrency) && concurrency >= 1))
    throw new EmovoxParameterError('--concurrency', `must be an integer >= 1, got ${concurrency}`);
  if (!(lockMs >= 1000)) throw new EmovoxParameterError('--lock-duration', 'must be at least 1 s');
  if (!(stalledMs >= 500)) throw new EmovoxParameterError('--stalled-interval', 'must be at least 0.5 s');
  for (const k of kinds)
    if (!JOB_KINDS.includes(k))
      throw new EmovoxParameterError('--only', `unknown job kind "${k}" (${JOB_KINDS.join(', ')})`);
  const allowed = (options.allowPaths ?? []).map((p) => realOrResolved(p));
  const id = `${hostname()}:${process.pid}`;
  const store = new RunStore(connection.options, true);
  const ownCache = options.cache === false ? null : (options.cache ?? defaultFeatureCacheDir());
  let extractPool: WorkerPool<ExtractRequest, ExtractResponse> | undefined;
  let extractDecoder: ResponseDecoder | undefined;
  let predictPool: WorkerPool<PredictRequest, PredictResponse> | undefined;

  const checkPath = (path: string, what: string) => {
    if (allowed.length === 0) return;
    const real = realOrResolved(path);
    if (!allowed.some((dir) => real === dir || isInside(real, dir)))
      throw new JobRefused(`${what} ${path} is outside the folders this worker may use (--allow-path)`);
  };

  /** Runs `items` not stored yet through `compute`, storing each outcome; false when the run is gone. */
  const runItems = async (
    data: QueueJob,
    compute: (item: JobItem) => Promise<{ outcome: ItemOutcome; value?: { hash: string; bytes: Buffer } }>,
  ): Promise<{ stored: boolean; failed: number; cached: number; ran: number }> => {
    const stored = await store.outcomes(
      data.runId,
      data.items.map((i) => i.index),
    );
    let alive = true;
    let failed = [...stored.values()].filter((o) => !o.ok).length;
    let cached = 0;
    const todo = data.items.filter((i) => !stored.has(i.index));
    await Promise.all(
      todo.map(async (item) => {
        const { outcome, value } = await compute(item);
        if (!outcome.ok) failed++;
        else if (outcome.cached) cached++;
        if (alive && !(await store.storeItem(data.runId, item.index, outcome, value))) alive = false;
      }),
    );
    return { stored: alive, failed, cached, ran: todo.length };
  };

  const features = async (data: FeaturesJob) => {
    for (const item of data.items) checkPath(item.path!, 'audio file');
    if (typeof data.cache === 'string') checkPath(data.cache, 'feature cache');
    extractPool ??= new WorkerPool(workerScript(import.meta.url, '../extract/worker'), threads);
    extractDecoder ??= new ResponseDecoder();
    const decoder = extractDecoder;
    const pool = extractPool;
    const cacheDir = data.cache === false ? null : (data.cache ?? ownCache);
    return runItems(data, async (item) => {
      let response: ExtractResponse;
      try {
        response = await pool.run(
          {
            index: item.index,
            source: item.path!,
            spec: data.spec,
            cacheDir,
            maxFileBytes: data.limits.maxFileBytes,
            maxDuration: limitFromJson(data.limits.maxDuration),
            strict: data.limits.strict,
          },
          [],
          timeoutMs,
        );
      } catch (error) {
        response = { index: item.index, ok: false, problem: errorMessage(error) };
      }
      if (!response.ok) return { outcome: { ok: false, by: id, problem: response.problem } };
      return {
        outcome: {
          ok: true,
          by: id,
          hash: response.fileHash,
          cached: response.cached,
          warnings: response.warnings,
        },
        value: { hash: response.fileHash, bytes: encodeFeatureRecord(decoder.value(response)) },
      };
    });
  };

  const predict = async (data: PredictJob) => {
    for (const item of data.items) checkPath(item.path!, 'audio file');
    const { resolveModelPath } = await import('../infer/bundled.js');
    const model = data.model.name !== undefined ? resolveModelPath(data.model.name) : data.model.path!;
    if (data.model.path !== undefined) checkPath(model, 'model');
    let digest: string;
    try {
      digest = bundleDigest(model);
    } catch (error) {
      throw new JobRefused(`model ${model} cannot be read on this worker (${errorMessage(error)})`);
    }
    if (digest !== data.model.sha256)
      throw new JobRefused(
        `model ${model} on this worker is not the client's (sha256 ${digest.slice(0, 12)}... here, ${data.model.sha256.slice(0, 12)}... there)`,
      );
    predictPool ??= new WorkerPool(workerScript(import.meta.url, '../infer/predict-worker'), threads);
    const pool = predictPool;
    return runItems(data, async (item) => {
      let response: PredictResponse;
      try {
        response = await pool.run(
          {
            index: item.index,
            file: item.path!,
            model,
            maxDuration: limitFromJson(data.maxDuration),
            ...(data.timeline ? { timeline: { ...data.timeline } } : {}),
          },
          [],
          timeoutMs,
        );
      } catch (error) {
        response = { index: item.index, ok: false, problem: errorMessage(error) };
      }
      return {
        outcome: response.ok
          ? { ok: true, by: id, prediction: response.prediction as unknown as Record<string, unknown> }
          : { ok: false, by: id, problem: response.problem },
      };
    });
  };

  const tune = async (data: TuneJob) => {
    checkPath(data.out, 'run folder');
    const dataSection = (data.recipe.data ?? {}) as Record<string, unknown>;
    const root = typeof dataSection.root === 'string' ? dataSection.root : undefined;
    if (root) checkPath(root, 'data root');
    if (typeof dataSection.cache === 'string') checkPath(resolve(dataSection.cache), 'feature cache');
    const corpora = Array.isArray(dataSection.corpora) ? dataSection.corpora : [];
    for (const c of corpora) {
      const p = typeof c === 'string' ? c : (c as { path?: unknown })?.path;
      if (typeof p === 'string') checkPath(isAbsolute(p) ? p : resolve(root ?? '.', p), 'corpus');
    }
    return runItems(data, async () => {
      const reply = await runTrial({
        recipe: data.recipe,
        recipeName: data.recipeName,
        out: data.out,
        ...(data.folds ? { folds: data.folds } : {}),
        winner: data.winner,
        ...(data.command !== undefined ? { command: data.command } : {}),
      });
      if (!reply.ok) {
        // A crash or an unexpected error is retried (another attempt, perhaps another worker);
        // an explained error (bad recipe, missing corpus) is the trial's outcome.
        if (!reply.explained) throw new Error(reply.problem);
        return { outcome: { ok: false, by: id, problem: reply.problem } };
      }
      return {
        outcome: {
          ok: true,
          by: id,
          score: reply.score,
          seconds: reply.seconds,
          out: reply.out,
          ...(reply.summary ? { summary: reply.summary } : {}),
        },
      };
    });
  };

  const ping = async (data: QueueJob) => runItems(data, async () => ({ outcome: { ok: true, by: id } }));

  const processorFor = (kind: JobKind) => async (job: Job) => {
    const started = performance.now();
    let data: QueueJob;
    try {
      data = checkJob(kind, job.data);
      if (!(await store.meta(data.runId))) {
        log(`${kind} job ${job.id}: its run is gone (finished, cancelled or lost); skipped`);
        return { skipped: true };
      }
      if (kind !== 'ping')
        log(
          `${kind} job ${job.id} started: ${data.items.length} item${data.items.length === 1 ? '' : 's'}, attempt ${job.attemptsMade + 1}`,
        );
      const result =
        data.kind === 'features'
          ? await features(data)
          : data.kind === 'predict'
            ? await predict(data)
            : data.kind === 'tune'
              ? await tune(data)
              : await ping(data);
      const seconds = (performance.now() - started) / 1000;
      if (
        !result.stored ||
        !(await store.storeChunk(data.runId, data.chunk, {
          by: id,
          items: data.items.length,
          failed: result.failed,
          seconds,
        }))
      ) {
        log(`${kind} job ${job.id}: its run is gone (finished, cancelled or lost); results dropped`);
        return { skipped: true };
      }
      if (kind !== 'ping')
        log(
          `${kind} job ${job.id} done: ${data.items.length} item${data.items.length === 1 ? '' : 's'}` +
            ` (${result.ran} run here, ${result.failed} failed${kind === 'features' ? `, ${result.cached} from the cache` : ''}) in ${seconds.toFixed(2)} s`,
        );
      return { items: data.items.length, failed: result.failed };
    } catch (error) {
      if (error instanceof JobRefused) {
        log(`${kind} job ${job.id} refused: ${error.message}`);
        throw new UnrecoverableError(`refused by ${id}: ${error.message}`);
      }
      throw error;
    }
  };

  const workers: Worker[] = [];
  let outage = false;
  for (const kind of kinds) {
    const worker = new Worker(kind, processorFor(kind), {
      connection: { ...connection.options },
      prefix: QUEUE_PREFIX,
      concurrency: kind === 'tune' ? 1 : kind === 'ping' ? 8 : concurrency,
      lockDuration: lockMs,
      stalledInterval: stalledMs,
      maxStalledCount: MAX_STALLED,
    });
    worker.on('failed', (job, error) => {
      if (job && !(error instanceof UnrecoverableError) && !/refused by/.test(error.message))
        log(`${kind} job ${job.id} failed (attempt ${job.attemptsMade}): ${error.message}`);
    });
    worker.on('error', (error) => {
      if (!outage) log(`queue: ${errorMessage(error)}; retrying`);
      outage = true;
    });
    worker.on('ready', () => {
      if (outage) log('queue: connected again');
      outage = false;
    });
    workers.push(worker);
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  log(
    `emovox worker ${id} on ${connection.display}: ${kinds.join(', ')} jobs; ${threads} thread${threads === 1 ? '' : 's'}, ` +
      `${concurrency} job${concurrency === 1 ? '' : 's'} at a time; lock ${lockMs / 1000} s`,
  );
  return {
    id,
    async close() {
      // BullMQ's graceful close waits for Redis; with Redis down it would wait forever. After a
      // lock's duration the jobs still held are handed on by the stalled check anyway.
      let timer: NodeJS.Timeout | undefined;
      const graceful = await Promise.race([
        Promise.allSettled(workers.map((w) => w.close())).then(() => true),
        new Promise<false>((r) => (timer = setTimeout(() => r(false), Math.max(lockMs, 5000)))),
      ]);
      clearTimeout(timer);
      if (!graceful) {
        log(
          'queue: Redis does not answer; stopping without handing the running jobs back (they are retried once their lock expires)',
        );
        void Promise.allSettled(workers.map((w) => w.close(true)));
      }
      await Promise.allSettled([extractPool?.close(), predictPool?.close()]);
      if (graceful) await store.close();
      else store.redis.disconnect();
      for (const w of workers) void w.disconnect().catch(() => {});
    },
  };
}

function realOrResolved(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/** Runs one trial in a child process; rejects when the child dies without answering. */
function runTrial(request: TrialRequest): Promise<TrialReply> {
  const script = childScript('./trial-process');
  return new Promise((resolveReply, reject) => {
    const child = fork(script.path, [], {
      execArgv: script.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let reply: TrialReply | undefined;
    child.once('message', (message: TrialReply) => {
      reply = message;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (reply) resolveReply(reply);
      else reject(new Error(`trial process exited (${signal ?? `code ${code}`}) without a result`));
    });
    child.send(request);
  });
}
