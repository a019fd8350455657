// The service's inference: a fixed pool of worker threads (extract/worker-pool.ts), each with
// its own onnxruntime session, behind the admission gate. Every job has a deadline; a job that
// overruns it is answered 408 and its worker is terminated and replaced, so one slow request
// never holds a worker (or the event loop) hostage.
import type { Transferable } from 'node:worker_threads';
import { workerScript, WorkerPool } from '../extract/worker-pool.js';
import { errorMessage } from '../util/errors.js';
import { Gate } from './gate.js';
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
    const release = await this.gate.acquire(signal);
    let reply: WorkerReply;
    let releaseLater = false;
    try {
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw requestTimeout(timeoutS);
      try {
        reply = await this.pool.run(job, transfer, remaining);
      } catch (error) {
        // The worker was terminated (overrun) or died, and a fresh one is starting in its place.
        // Keep its slot until the model is loaded there, so the next job's deadline does not
        // pay for the start-up (and, when short, kill the new worker in turn).
        releaseLater = true;
        void this.pool
          .run({ kind: 'load', model: this.model })
          .catch(() => undefined)
          .finally(release);
        if (/timed out after/.test(errorMessage(error))) throw requestTimeout(timeoutS);
        throw new HttpProblem(500, 'internal_error', `inference failed: ${errorMessage(error)}`);
      }
    } finally {
      if (!releaseLater) release();
    }
    if (reply.ok) return reply;
    if (reply.failure === 'input') throw new HttpProblem(400, 'bad_audio', reply.problem);
    if (reply.failure === 'too-long') throw new HttpProblem(413, 'audio_too_long', reply.problem);
    throw new HttpProblem(500, 'internal_error', `inference failed: ${reply.problem}`);
  }

  /** Terminates the workers (running jobs fail). */
  close(): Promise<void> {
    return this.pool.close();
  }
}
