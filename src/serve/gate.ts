// Admission control: at most `slots` inference jobs run at once (one per worker thread), at
// most `maxQueue` more wait, and the rest are refused at once with 429, before their body is
// read. While the service shuts down everything new gets 503.
import { HttpProblem } from './problem.js';

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (error: unknown) => void;
  onAbort: () => void;
  signal: AbortSignal;
}

/** Counts of a {@link Gate}. */
export interface GateStats {
  /** Requests admitted and not yet answered (reading, waiting or running). */
  admitted: number;
  /** Jobs running on a worker. */
  running: number;
  /** Jobs waiting for a worker. */
  waiting: number;
  /** Requests refused with 429 since start. */
  refused: number;
  draining: boolean;
}

/**
 * Admission and a semaphore over the worker slots. `admit()` counts a request from its
 * arrival to its response; `acquire()` waits for a worker slot (cancellable).
 */
export class Gate {
  private admittedCount = 0;
  private runningCount = 0;
  private refusedCount = 0;
  private readonly waiters: Waiter[] = [];
  private draining = false;
  private idleResolvers: (() => void)[] = [];

  /**
   * @param slots - jobs that may run at once (the worker count), >= 1.
   * @param maxQueue - requests that may wait beyond those, >= 0.
   */
  constructor(
    readonly slots: number,
    readonly maxQueue: number,
  ) {}

  /**
   * Admits one request, or throws the refusal: 503 while draining, 429 (with `retry-after`)
   * when `slots + maxQueue` requests are already admitted.
   * @returns a function that ends the admission (idempotent).
   */
  admit(): () => void {
    if (this.draining) throw shuttingDown();
    if (this.admittedCount >= this.slots + this.maxQueue) {
      this.refusedCount++;
      throw new HttpProblem(
        429,
        'too_many_requests',
        `the service is busy: ${this.admittedCount} requests are running or queued (limit ${this.slots + this.maxQueue}); retry later`,
        { 'retry-after': '1' },
      );
    }
    this.admittedCount++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.admittedCount--;
      this.checkIdle();
    };
  }

  /**
   * Waits for a worker slot.
   * @param signal - aborting it (timeout, client gone) gives up the place in the queue; the
   *   promise then rejects with the signal's reason.
   * @returns the slot's release function (idempotent).
   */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    if (this.runningCount < this.slots) return Promise.resolve(this.take());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(abortReason(signal));
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private take(): () => void {
    this.runningCount++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.runningCount--;
      const next = this.waiters.shift();
      if (next) {
        next.signal.removeEventListener('abort', next.onAbort);
        next.resolve(this.take());
      }
      this.checkIdle();
    };
  }

  /** From now on {@link admit} refuses with 503. */
  drain(): void {
    this.draining = true;
  }

  /**
   * Rejects every request waiting for a slot with `error` (shutdown's end of grace).
   * @param error - the rejection of each waiter.
   */
  rejectWaiting(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) {
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.reject(error);
    }
  }

  /** Resolves when no request is admitted and no job runs (at once if so now). */
  idle(): Promise<void> {
    if (this.admittedCount === 0 && this.runningCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleResolvers.push(resolve));
  }

  private checkIdle(): void {
    if (this.admittedCount !== 0 || this.runningCount !== 0) return;
    for (const resolve of this.idleResolvers.splice(0)) resolve();
  }

  /** Current counts. */
  stats(): GateStats {
    return {
      admitted: this.admittedCount,
      running: this.runningCount,
      waiting: this.waiters.length,
      refused: this.refusedCount,
      draining: this.draining,
    };
  }
}

/** The 503 of a service that is shutting down. */
export function shuttingDown(): HttpProblem {
  return new HttpProblem(503, 'shutting_down', 'the service is shutting down; retry on another instance', {
    connection: 'close',
  });
}

/** The signal's reason as an Error (AbortSignal.abort() sets a DOMException, which is one). */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(String(reason));
}
