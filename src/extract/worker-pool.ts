import { statSync } from 'node:fs';
import { Worker, type Transferable } from 'node:worker_threads';
// Worker threads share the process environment but cannot change it: settle it before they start.
import '../util/ort-telemetry-off.js';

/** How to start a worker thread: a script file, or (for TypeScript sources) a bootstrap snippet. */
export type WorkerScript = { readonly url: URL } | { readonly code: string };

/**
 * The worker script `stem` next to the calling module, and how to start it: the compiled `.js`
 * file under dist/ runs as is; the `.ts` source (tests, `tsx` runs) needs tsx's loader inside the
 * worker. On Node 20 `execArgv: ['--import', 'tsx']` does not reach a worker's entry module, so a
 * small eval bootstrap registers tsx (`tsx/esm/api`, resolved from here, so the current directory
 * does not matter) and then imports the script. Under dist/, the one-file bundle `<stem>.bundle.js`
 * that the build writes beside the script is preferred when it is at least as new.
 *
 * @param baseUrl - `import.meta.url` of the module beside the worker script.
 * @param stem - script name without extension, e.g. `'./worker'`.
 */
export function workerScript(baseUrl: string, stem: string): WorkerScript {
  if (baseUrl.endsWith('.ts')) {
    const tsxApi = import.meta.resolve('tsx/esm/api');
    const target = new URL(`${stem}.ts`, baseUrl).href;
    return {
      code: `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(target)}); });`,
    };
  }
  const script = new URL(`${stem}.js`, baseUrl);
  const bundle = new URL(`${stem}.bundle.js`, baseUrl);
  return { url: isFresh(bundle, script) ? bundle : script };
}

// The build bundles each worker script into one file (scripts/postbuild.mjs), which starts ~75 ms
// faster than the script's ~100 modules; it is used only when at least as new as the script.
function isFresh(bundle: URL, script: URL): boolean {
  try {
    return statSync(bundle).mtimeMs >= statSync(script).mtimeMs;
  } catch {
    return false;
  }
}

interface PendingTask<Req, Res> {
  request: Req;
  transfer: Transferable[];
  timeoutMs: number;
  resolve: (value: Res) => void;
  reject: (error: Error) => void;
}

interface Slot<Req, Res> {
  worker: Worker;
  /** Tasks sent to this worker, oldest first; the worker runs them in this order. */
  tasks: PendingTask<Req, Res>[];
  /** Deadline of the oldest task, which is the one the worker is running. */
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Options of a {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /**
   * Tasks handed to each worker at once (default 1). With 2, a worker finds its next task waiting
   * when it posts a reply, instead of idling until the main thread is scheduled to dispatch one:
   * on a machine with as many busy threads as cores that wait was a fifth of the workers' time
   * for 2 ms tasks. Only for worker scripts that run their messages one at a time, in order.
   */
  readonly inFlight?: number;
}

/**
 * A fixed-size pool of worker threads running one script; each worker has up to `inFlight` tasks
 * (one `postMessage` in, one message back each, answered in order). A worker that dies mid-task
 * (crash, out of memory, timeout) fails only the task it was running, and is replaced; the tasks
 * queued behind it go back to the head of the queue, so a batch never loses the other items.
 */
export class WorkerPool<Req, Res> {
  private readonly slots: Slot<Req, Res>[] = [];
  private readonly queue: PendingTask<Req, Res>[] = [];
  private readonly inFlight: number;
  private closed = false;

  /**
   * @param script - the worker script (see {@link workerScript}).
   * @param size - number of worker threads, at least 1.
   * @param options - see {@link WorkerPoolOptions}.
   */
  constructor(
    private readonly script: WorkerScript,
    readonly size: number,
    options: WorkerPoolOptions = {},
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`worker pool size must be >= 1, got ${size}`);
    this.inFlight = options.inFlight ?? 1;
    if (!Number.isInteger(this.inFlight) || this.inFlight < 1)
      throw new RangeError(`worker pool inFlight must be >= 1, got ${this.inFlight}`);
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot<Req, Res> {
    const worker =
      'code' in this.script ? new Worker(this.script.code, { eval: true }) : new Worker(this.script.url);
    const slot: Slot<Req, Res> = { worker, tasks: [], timer: undefined };
    worker.on('message', (message: Res) => {
      const task = slot.tasks.shift();
      clearTimeout(slot.timer);
      slot.timer = undefined;
      this.startTimer(slot);
      task?.resolve(message);
      this.dispatch();
    });
    const fail = (error: Error) => {
      const index = this.slots.indexOf(slot);
      if (index >= 0 && !this.closed) this.slots[index] = this.spawn();
      else if (index >= 0) this.slots.splice(index, 1);
      this.abandon(slot, error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed && this.slots.includes(slot))
        fail(new Error(`worker thread exited with code ${code}`));
    });
    return slot;
  }

  /** Fails the task a lost worker was running and requeues the ones waiting behind it. */
  private abandon(slot: Slot<Req, Res>, error: Error): void {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    const [running, ...waiting] = slot.tasks.splice(0);
    this.queue.unshift(...waiting);
    running?.reject(error);
    this.dispatch();
  }

  // The deadline runs from when a task reaches the head of its worker's list, i.e. starts running.
  private startTimer(slot: Slot<Req, Res>): void {
    const task = slot.tasks[0];
    if (!task || !Number.isFinite(task.timeoutMs)) return;
    // A task that never returns (a decoder stuck on a hostile file) costs one worker, not the batch.
    slot.timer = setTimeout(() => {
      slot.worker.removeAllListeners('exit');
      void slot.worker.terminate();
      const index = this.slots.indexOf(slot);
      if (index >= 0 && !this.closed) this.slots[index] = this.spawn();
      this.abandon(slot, new Error(`timed out after ${task.timeoutMs / 1000} s`));
    }, task.timeoutMs);
  }

  private dispatch(): void {
    if (this.closed) return;
    // Fill every worker to one task before giving any a second, so a short batch spreads out.
    for (let depth = 1; depth <= this.inFlight; depth++) {
      for (const slot of this.slots) {
        if (this.queue.length === 0) return;
        if (slot.tasks.length >= depth) continue;
        const task = this.queue.shift()!;
        slot.tasks.push(task);
        if (slot.tasks.length === 1) this.startTimer(slot);
        slot.worker.postMessage(task.request, task.transfer);
      }
    }
  }

  /**
   * Queues one request; resolves with the worker's reply, rejects if the worker dies on it or
   * takes longer than `timeoutMs` once started (the worker is then terminated and replaced).
   *
   * @param request - structured-cloneable message for the worker.
   * @param transfer - buffers to move rather than copy.
   * @param timeoutMs - per-task limit in milliseconds; default: none.
   */
  run(request: Req, transfer: Transferable[] = [], timeoutMs = Infinity): Promise<Res> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ request, transfer, timeoutMs, resolve, reject });
      this.dispatch();
    });
  }

  /** Terminates every worker; queued and running tasks reject. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new Error('worker pool closed'));
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      clearTimeout(slot.timer);
      for (const task of slot.tasks.splice(0)) task.reject(new Error('worker pool closed'));
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }
}
