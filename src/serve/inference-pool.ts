// The service's inference: a fixed pool of worker threads (extract/worker-pool.ts), each with
// its own onnxruntime session, behind the admission gate. Every job has a deadline; a job that
// overruns it is answered 408 at the deadline (its worker finishes it, then takes the next).
import type { Transferable } from 'node:worker_threads';
import { workerScript, WorkerPool } from '../extract/worker-pool.js';
import { errorMessage } from '../util/errors.js';
import { Gate, shuttingDown } from './gate.js';
import { HttpProblem } from './problem.js';
import type { ModelFacts, WorkerJob, WorkerReply } from './protocol.js';

/** The 408 of a request past its deadline. */
export function requestTimeout(seconds: number): HttpProblem {
  return new HttpProblem(
    408,
    'request_timeout',
    `the request took longer than ${seconds} s (option requestTimeoutS, CLI --timeout)`,
    { connection: 'close' },
  );
}

/** Distributes jobs over worker threads, one job per worker at a time. */
export class InferencePool {
  private readonly pool: WorkerPool<WorkerJob, WorkerReply>;
  readonly gate: Gate;
  /** Jobs handed to a worker and not yet finished there (whether or not anyone still waits). */
  private readonly onWorkers = new Set<Promise<unknown>>();
  /** Aborted by {@link cutOff}: requests still waiting for a job are answered 503 at once. */
  private readonly cutOffController = new AbortController();
  private finished = 0;

  /**
   * @param model - resolved bundle path every job uses.
   * @param workers - worker threads, >= 1.
   * @param maxQueue - requests that may wait for a worker (see {@link Gate}).
   */
  constructor(
    readonly model: string,
    readonly workers: number,
    maxQueue: number,
  ) {
    this.pool = new WorkerPool(workerScript(import.meta.url, './worker'), workers);
    this.gate = new Gate(workers, maxQueue);
  }

  /**
   * Loads the model in every worker (so the first requests do not pay for it) and returns what
   * the model looks like.
   * @throws HttpProblem 500 naming the problem when the model cannot be loaded.
   */
  async warm(): Promise<ModelFacts> {
    // One job per worker at a time: as many load jobs as workers reach every worker.
    const replies = await Promise.all(
      Array.from({ length: this.workers }, () => this.pool.run({ kind: 'load', model: this.model })),
    );
    const first = replies[0];
    for (const r of replies) if (!r.ok) throw new Error(r.problem);
    if (!first.ok || first.kind !== 'load') throw new Error('unexpected reply to a load job');
    return first.facts;
  }

  /**
   * Runs one job on a worker once a slot is free.
   * @param job - the job (its buffers are moved to the worker when listed in `transfer`).
   * @param signal - the request's deadline / cancellation: aborting it while waiting gives up the
   *   place in the queue (rejects with its reason).
   * @param deadline - `performance.now()` time after which the job is stopped with 408.
   * @param timeoutS - the configured timeout, for the 408's message.
   * @returns the worker's successful reply.
   * @throws HttpProblem 400 (bad input), 413 (audio too long), 408 (deadline), 500 (internal).
   */
  async run(
    job: WorkerJob,
    transfer: Transferable[],
    signal: AbortSignal,
    deadline: number,
    timeoutS: number,
  ): Promise<Exclude<WorkerReply, { ok: false }>> {
    if (this.cutOffController.signal.aborted) throw shutDownBeforeAnswer();
    const release = await this.gate.acquire(signal);
    const remaining = deadline - performance.now();
    if (remaining <= 0) {
      release();
      throw requestTimeout(timeoutS);
    }
    // No timeout inside the pool: terminating a worker while onnxruntime runs in it can abort
    // the whole process (a native fatal error in onnxruntime-node). A job past the deadline is
    // answered 408 at once and left to finish on its worker, which keeps its slot until then.
    const running = this.pool.run(job, transfer);
    const settled = running
      .then(() => this.finished++)
      .catch(() => undefined)
      .finally(() => {
        this.onWorkers.delete(settled);
        release();
      });
    this.onWorkers.add(settled);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onCutOff: (() => void) | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(requestTimeout(timeoutS)), remaining);
      onCutOff = () => reject(shutDownBeforeAnswer());
      if (this.cutOffController.signal.aborted) onCutOff();
      else this.cutOffController.signal.addEventListener('abort', onCutOff, { once: true });
    });
    let reply: WorkerReply;
    try {
      reply = await Promise.race([running, late]);
    } catch (error) {
      if (error instanceof HttpProblem) throw error;
      throw new HttpProblem(500, 'internal_error', `inference failed: ${errorMessage(error)}`);
    } finally {
      clearTimeout(timer);
      if (onCutOff) this.cutOffController.signal.removeEventListener('abort', onCutOff);
    }
    if (reply.ok) return reply;
    if (reply.failure === 'input') throw new HttpProblem(400, 'bad_audio', reply.problem);
    if (reply.failure === 'too-long') throw new HttpProblem(413, 'audio_too_long', reply.problem);
    throw new HttpProblem(500, 'internal_error', `inference failed: ${reply.problem}`);
  }

  /** Jobs whose worker has replied since start (answered, late or abandoned alike). */
  get finishedJobs(): number {
    return this.finished;
  }

  /** Jobs running on a worker now, whether or not a request still waits for them. */
  get jobsOnWorkers(): number {
    return this.onWorkers.size;
  }

  /**
   * The end of shutdown's grace period: every request still waiting for its job is answered
   * 503 `shutting_down` at once (an answer rather than a cut connection). The jobs themselves
   * keep running on their workers; {@link close} waits for them.
   */
  cutOff(): void {
    this.cutOffController.abort();
    this.gate.rejectWaiting(shutDownBeforeAnswer());
  }

  /**
   * Waits for every job running on a worker to finish, then terminates the workers. A worker is
   * never terminated while onnxruntime runs in it: that can abort the whole process (a native
   * fatal error in onnxruntime-node), losing every response still on its way out.
   */
  async close(): Promise<void> {
    while (this.onWorkers.size > 0) await Promise.all([...this.onWorkers]);
    await this.pool.close();
  }
}

/** The 503 of a request whose job was still running when shutdown's grace period ended. */
function shutDownBeforeAnswer(): HttpProblem {
  const problem = shuttingDown();
  return new HttpProblem(
    503,
    'shutting_down',
    'the service shut down (its grace period ended) before this request was answered; retry on another instance',
    problem.headers,
  );
}
