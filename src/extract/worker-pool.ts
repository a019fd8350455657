import { statSync } from 'node:fs';
import { Worker, type Transferable } from 'node:worker_threads';

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
  task: PendingTask<Req, Res> | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * A fixed-size pool of worker threads running one script; each worker handles one task at a time
 * (one `postMessage` in, one message back). A worker that dies mid-task (crash, out of memory)
 * fails only that task and is replaced, so a batch never loses the other items.
 */
export class WorkerPool<Req, Res> {
  private readonly slots: Slot<Req, Res>[] = [];
  private readonly queue: PendingTask<Req, Res>[] = [];
  private closed = false;

  /**
   * @param script - the worker script (see {@link workerScript}).
   * @param size - number of worker threads, at least 1.
   */
  constructor(
    private readonly script: WorkerScript,
    readonly size: number,
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`worker pool size must be >= 1, got ${size}`);
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot<Req, Res> {
    const worker =
      'code' in this.script ? new Worker(this.script.code, { eval: true }) : new Worker(this.script.url);
    const slot: Slot<Req, Res> = { worker, task: undefined, timer: undefined };
    worker.on('message', (message: Res) => {
      const task = slot.task;
      slot.task = undefined;
      clearTimeout(slot.timer);
      task?.resolve(message);
      this.dispatch();
    });
    const fail = (error: Error) => {
      const task = slot.task;
      slot.task = undefined;
      clearTimeout(slot.timer);
      const index = this.slots.indexOf(slot);
      if (index >= 0 && !this.closed) this.slots[index] = this.spawn();
      else if (index >= 0) this.slots.splice(index, 1);
      task?.reject(error);
      this.dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed && this.slots.includes(slot))
        fail(new Error(`worker thread exited with code ${code}`));
    });
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.task) continue;
      const task = this.queue.shift()!;
      slot.task = task;
      if (Number.isFinite(task.timeoutMs)) {
        // A task that never returns (a decoder stuck on a hostile file) costs one worker, not the batch.
        slot.timer = setTimeout(() => {
          const error = new Error(`timed out after ${task.timeoutMs / 1000} s`);
          slot.worker.removeAllListeners('exit');
          void slot.worker.terminate();
          const index = this.slots.indexOf(slot);
          if (index >= 0 && !this.closed) this.slots[index] = this.spawn();
          slot.task = undefined;
          task.reject(error);
          this.dispatch();
        }, task.timeoutMs);
      }
      slot.worker.postMessage(task.request, task.transfer);
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
      slot.task?.reject(new Error('worker pool closed'));
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }
}
