// The client side of a queue run: create (or reattach to) a run, enqueue its jobs, follow the
// workers' progress, notice failed or lost jobs, and hand back every item's outcome. The kind-
// specific wrappers (features, predict, tune) build the jobs and turn outcomes into results.
import { createHash, randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { canonicalJson } from '../util/canonical-json.js';
import { EmovoxError, EmovoxInputError, EmovoxParameterError, errorMessage } from '../util/errors.js';
import { VERSION } from '../version.js';
import { parseQueueAddress, type QueueAddress, type QueueConnection } from './connection.js';
import { QUEUE_PREFIX, RUN_ID, type ItemOutcome, type JobKind, type QueueJob } from './jobs.js';
import { RunStore, type ChunkDone } from './run-store.js';

/** Options every queue client takes (`--queue`, `--run-id`, `--resume`, ...). */
export interface QueueClientOptions {
  readonly address: QueueAddress;
  /** Run id (letters, digits, `_`, `-`); default: 12 random hex digits. */
  readonly runId?: string;
  /** Reattach to run `runId` (which must be given): enqueue only what is not done. */
  readonly resume?: boolean;
  /** Items per job (file runs); default {@link DEFAULT_JOB_SIZE}. */
  readonly jobSize?: number;
  /** Where run notes go (the run id, repeated items, an outage); default: nowhere. */
  readonly report?: (line: string) => void;
  /** Progress poll interval, ms (default 200). */
  readonly pollMs?: number;
  /** Interval of the check for failed or lost jobs, ms (default 3000). */
  readonly checkMs?: number;
  /** Give up after Redis has been unreachable this long, seconds (default 120). */
  readonly unreachableS?: number;
}

/** Files per job when `--job-size` is not given: small enough to spread a few hundred files over many workers, large enough that the queue's per-job cost (a few milliseconds, see docs/queue.md) stays far below the work. */
export const DEFAULT_JOB_SIZE = 16;

/** A job of a run, before the run id is known. */
export type PlannedJob = QueueJob extends infer J ? (J extends QueueJob ? Omit<J, 'runId'> : never) : never;

/** The work of a run. */
export interface RunPlan {
  readonly kind: JobKind;
  /** Number of items; every job's items are indices into 0..items-1, each in exactly one job. */
  readonly items: number;
  readonly jobs: readonly PlannedJob[];
}

/** What a finished run hands back. */
export interface GatheredRun {
  readonly runId: string;
  /** Every item's outcome (items of jobs that failed on every attempt carry that failure). */
  readonly outcomes: Map<number, ItemOutcome>;
  /** Worker processes (`host:pid`) that finished chunks. */
  readonly workers: readonly string[];
  /** Items stored more than once (a worker stopped mid-job and another redid them); each is counted once. */
  readonly repeated: number;
  /** Jobs that failed on every attempt. */
  readonly failedJobs: number;
  /** Open connection to the run state (feature values are read from it). */
  readonly store: RunStore;
  readonly connection: QueueConnection;
  /** Deletes the run's state from Redis and closes the connections. */
  finish(): Promise<void>;
  /** Closes the connections, leaving the run in Redis. */
  close(): Promise<void>;
}

/** The run's state or jobs disappeared from Redis: the client stops; `--resume` finishes the run. */
export class QueueRunLost extends EmovoxError {
  constructor(
    readonly runId: string,
    what: string,
  ) {
    super(
      `queue: run ${runId}: ${what} (was Redis restarted without persistence, or flushed?); nothing was written. ` +
        `Run the same command again with --resume --run-id ${runId} to finish it (items already stored are kept)`,
    );
    this.name = 'QueueRunLost';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The BullMQ job id of a chunk (ids may not contain ':'). */
export function jobId(runId: string, chunk: number): string {
  return `${runId}.${chunk}`;
}

/** Splits `n` items into consecutive chunks of at most `size`: [[0..size-1], ...]. */
export function chunkIndices(n: number, size: number): number[][] {
  if (!(Number.isInteger(size) && size >= 1))
    throw new EmovoxParameterError('--job-size', `must be an integer >= 1, got ${size}`);
  const out: number[][] = [];
  for (let start = 0; start < n; start += size)
    out.push(Array.from({ length: Math.min(size, n - start) }, (_, i) => start + i));
  return out;
}

function isConnectionError(error: unknown): boolean {
  const text = errorMessage(error);
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|Connection is closed|max retries|Reached the max retries|Stream isn't writeable|LOADING/i.test(
    text,
  );
}

/** Turns a failed first contact into an error a person can act on. */
function contactError(connection: QueueConnection, error: unknown): EmovoxError {
  const text = errorMessage(error);
  if (/NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test(text))
    return new EmovoxParameterError(
      '--queue',
      `${connection.display}: Redis refused the password (${text}); give it with --queue-password, in the URL or in $EMOVOX_QUEUE_PASSWORD`,
    );
  return new EmovoxInputError('--queue', `${connection.display}: cannot reach Redis (${text})`);
}

/**
 * Runs a plan on the queue: creates the run (or, with `resume`, reattaches to it and enqueues
 * only the jobs whose chunks are not done and that are not waiting or running), then follows the
 * workers until every chunk is done or its job failed on every attempt. Progress is read from the
 * run's item table, so an item stored twice (a job retried after its worker died) counts once.
 *
 * @param plan - the run's jobs (see the features / predict / tune clients).
 * @param options - queue address, run id, resume, report, intervals.
 * @param onOutcome - called once per item as its chunk's outcomes are gathered.
 * @param onProgress - called after each poll with the number of items stored so far.
 * @throws EmovoxParameterError for a bad run id, `resume` without a run id, an existing run
 *   without `resume`, a resumed run whose work differs, a refused password.
 * @throws EmovoxInputError when Redis cannot be reached at the start.
 * @throws QueueRunLost when the run's state or jobs vanish from Redis mid-run, or Redis stays
 *   unreachable longer than `unreachableS`.
 */
export async function runOnQueue(
  plan: RunPlan,
  options: QueueClientOptions,
  onOutcome: (index: number, outcome: ItemOutcome) => void = () => {},
  onProgress: (stored: number) => void = () => {},
): Promise<GatheredRun> {
  if (options.resume && options.runId === undefined)
    throw new EmovoxParameterError('--resume', 'needs --run-id (the id printed when the run started)');
  if (options.runId !== undefined && !RUN_ID.test(options.runId))
    throw new EmovoxParameterError(
      '--run-id',
      `must be 1-64 letters, digits, _ or -, got "${options.runId}"`,
    );
  const connection = parseQueueAddress(options.address);
  const report = options.report ?? (() => {});
  const runId = options.runId ?? randomBytes(6).toString('hex');
  const store = new RunStore(connection.options, false);
  const queue = new Queue(plan.kind, {
    connection: { ...connection.options, maxRetriesPerRequest: 2 },
    prefix: QUEUE_PREFIX,
  });
  queue.on('error', () => {}); // connection errors surface through the calls that fail
  const close = async () => {
    await Promise.allSettled([queue.close(), store.close()]);
  };
  try {
    // The connection's own error (ECONNREFUSED, a TLS failure) says more than the command's.
    let connectionProblem: unknown;
    const onError = (error: unknown) => (connectionProblem = error);
    store.redis.on('error', onError);
    try {
      await store.redis.ping();
    } catch (error) {
      throw contactError(connection, connectionProblem ?? error);
    } finally {
      store.redis.off('error', onError);
    }
    const fingerprint = createHash('sha256')
      .update(canonicalJson({ kind: plan.kind, jobs: plan.jobs }))
      .digest('hex');
    const existing = await store.meta(runId);
    if (existing && !options.resume)
      throw new EmovoxParameterError(
        '--run-id',
        `run ${runId} already exists in the queue; add --resume to reattach to it`,
      );
    if (existing && (existing.fingerprint !== fingerprint || existing.kind !== plan.kind))
      throw new EmovoxParameterError(
        '--resume',
        `run ${runId} was started with other inputs or options (a ${existing.kind} run of ${existing.items} items); give the same command line`,
      );
    if (!existing) {
      if (options.resume)
        report(
          `queue: run ${runId} was not found in the queue (lost, expired or never started); starting it again under the same id`,
        );
      await store.createMeta(runId, {
        kind: plan.kind,
        fingerprint,
        items: plan.items,
        chunks: plan.jobs.length,
        emovox: VERSION,
        created: new Date().toISOString(),
      });
    }
    report(
      `queue: run ${runId} on ${connection.display}: ${plan.items} item${plan.items === 1 ? '' : 's'} in ${plan.jobs.length} job${plan.jobs.length === 1 ? '' : 's'}` +
        ` (reattach with --resume --run-id ${runId})`,
    );
    const done = new Map<number, ChunkDone>();
    for (const [c, s] of await store.chunks(runId)) if (c < plan.jobs.length) done.set(c, s);
    const outcomes = new Map<number, ItemOutcome>();
    const failedChunks = new Set<number>();
    await enqueue(queue, runId, plan, done, options.resume === true && existing !== undefined);

    const gather = async (chunks: number[]) => {
      const indices = chunks.flatMap((c) => plan.jobs[c].items.map((i) => i.index));
      const got = await store.outcomes(runId, indices);
      for (const index of indices) {
        const outcome: ItemOutcome = got.get(index) ?? {
          ok: false,
          by: '',
          problem: 'its result is missing from the queue (the chunk was marked done without it)',
        };
        if (!outcomes.has(index)) {
          outcomes.set(index, outcome);
          onOutcome(index, outcome);
        }
      }
    };
    await gather([...done.keys()]);

    const pollMs = options.pollMs ?? 200;
    const checkMs = options.checkMs ?? 3000;
    const unreachableMs = 1000 * (options.unreachableS ?? 120);
    let lastContact = Date.now();
    let lastCheck = Date.now();
    let outage = false;
    while (done.size + failedChunks.size < plan.jobs.length) {
      try {
        const [[, metaExists], [, chunkCount], [, itemCount]] = (await store.redis
          .multi()
          .exists(`${QUEUE_PREFIX}:run:${runId}:meta`)
          .hlen(`${QUEUE_PREFIX}:run:${runId}:chunks`)
          .hlen(`${QUEUE_PREFIX}:run:${runId}:items`)
          .exec()) as [unknown, number][];
        lastContact = Date.now();
        if (outage) report(`queue: Redis is back`);
        outage = false;
        if (metaExists === 0) throw new QueueRunLost(runId, "the run's state is gone from Redis");
        onProgress(
          Math.min(
            plan.items,
            itemCount + [...failedChunks].reduce((a, c) => a + missingIn(plan, c, outcomes), 0),
          ),
        );
        if (chunkCount > done.size) {
          const fresh: number[] = [];
          for (const [c, s] of await store.chunks(runId)) {
            if (c < plan.jobs.length && !done.has(c) && !failedChunks.has(c)) {
              done.set(c, s);
              fresh.push(c);
            }
          }
          await gather(fresh);
        }
        if (Date.now() - lastCheck >= checkMs) {
          lastCheck = Date.now();
          await checkJobs(queue, store, runId, plan, done, failedChunks, outcomes, onOutcome);
        }
      } catch (error) {
        if (error instanceof EmovoxError || !isConnectionError(error)) throw error;
        if (!outage) report(`queue: Redis unreachable (${errorMessage(error)}); waiting for it to come back`);
        outage = true;
        if (Date.now() - lastContact > unreachableMs)
          throw new QueueRunLost(
            runId,
            `Redis has been unreachable for ${Math.round((Date.now() - lastContact) / 1000)} s`,
          );
      }
      if (done.size + failedChunks.size < plan.jobs.length) await sleep(pollMs);
    }
    onProgress(plan.items);
    const repeated = await store.repeatedItems(runId);
    const workers = [...new Set([...done.values()].map((s) => s.by))].sort();
    return {
      runId,
      outcomes,
      workers,
      repeated,
      failedJobs: failedChunks.size,
      store,
      connection,
      async finish() {
        await Promise.allSettled(
          [...failedChunks].map(async (c) => (await queue.getJob(jobId(runId, c)))?.remove()),
        );
        await store.deleteRun(runId);
        await close();
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function missingIn(plan: RunPlan, chunk: number, outcomes: Map<number, ItemOutcome>): number {
  // Items of a failed job that no worker stored are counted done here (they are failures now).
  return plan.jobs[chunk].items.filter((i) => outcomes.get(i.index)?.by === '').length;
}

/** Adds the jobs of every chunk not done; on resume, only those not waiting, running or delayed. */
async function enqueue(
  queue: Queue,
  runId: string,
  plan: RunPlan,
  done: Map<number, ChunkDone>,
  resumed: boolean,
): Promise<void> {
  const add: number[] = [];
  for (let c = 0; c < plan.jobs.length; c++) {
    if (done.has(c)) continue;
    if (resumed) {
      const state = await queue.getJobState(jobId(runId, c));
      if (['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'].includes(state)) continue;
      if (state !== 'unknown') await (await queue.getJob(jobId(runId, c)))?.remove();
    }
    add.push(c);
  }
  for (let start = 0; start < add.length; start += 500) {
    await queue.addBulk(
      add.slice(start, start + 500).map((c) => ({
        name: plan.kind,
        data: { ...plan.jobs[c], runId },
        opts: {
          jobId: jobId(runId, c),
          attempts: 3,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: true,
          removeOnFail: false,
        },
      })),
    );
  }
}

/**
 * Looks at the jobs of chunks not done: a job that failed on every attempt turns its missing
 * items into failures; a job that is gone while its chunk is not done means Redis lost it.
 */
async function checkJobs(
  queue: Queue,
  store: RunStore,
  runId: string,
  plan: RunPlan,
  done: Map<number, ChunkDone>,
  failedChunks: Set<number>,
  outcomes: Map<number, ItemOutcome>,
  onOutcome: (index: number, outcome: ItemOutcome) => void,
): Promise<void> {
  const open: number[] = [];
  for (let c = 0; c < plan.jobs.length; c++) if (!done.has(c) && !failedChunks.has(c)) open.push(c);
  const states = await Promise.all(open.map((c) => queue.getJobState(jobId(runId, c))));
  // Read the chunk markers after the states: a job removed on completion has its marker already.
  const markers = await store.chunks(runId);
  let lost = 0;
  for (const [i, c] of open.entries()) {
    if (markers.has(c)) continue; // the next poll gathers it
    if (states[i] === 'unknown') lost++;
    else if (states[i] === 'failed') {
      const job = await queue.getJob(jobId(runId, c));
      const reason = job?.failedReason ?? 'unknown reason';
      const attempts = job?.attemptsMade ?? 0;
      failedChunks.add(c);
      const indices = plan.jobs[c].items.map((item) => item.index);
      const stored = await store.outcomes(runId, indices);
      for (const index of indices) {
        const outcome: ItemOutcome = stored.get(index) ?? {
          ok: false,
          by: '',
          problem: `queue job ${jobId(runId, c)} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${reason}`,
        };
        if (!outcomes.has(index)) {
          outcomes.set(index, outcome);
          onOutcome(index, outcome);
        }
      }
    }
  }
  if (lost > 0)
    throw new QueueRunLost(runId, `${lost} of its jobs ${lost === 1 ? 'is' : 'are'} missing from Redis`);
}
