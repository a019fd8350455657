import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EmovoxError, EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import type { ExperimentEvent, JobTask } from './experiment.js';
import type { Recipe } from './recipe.js';

// The parent side of a parallel run: a few child processes (each its own libtorch, with the
// recipe's intra-op threads), fed one task at a time. Children write their results to the run
// folder (fold files, checkpoints) exactly as the sequential run does; messages only carry
// progress, completion and errors.

/** Parent -> job messages. */
export type ToJob =
  | { type: 'init'; recipe: Recipe; out: string; resume: boolean; validationOnly: boolean }
  | { type: 'task'; task: JobTask }
  | { type: 'stop' }
  | { type: 'exit' };

/** A thrown error as it crosses the process boundary. */
export interface JobError {
  name: string;
  message: string;
  source?: string;
  problem?: string;
  stack?: string;
}

/** Job -> parent messages. */
export type FromJob =
  | { type: 'event'; event: ExperimentEvent }
  | { type: 'done'; task: JobTask }
  | { type: 'interrupted' }
  | { type: 'error'; task: JobTask | null; error: JobError };

/** Options of {@link runJobs}. */
export interface RunJobsOptions {
  recipe: Recipe;
  /** Run folder (absolute). */
  out: string;
  resume: boolean;
  validationOnly: boolean;
  /** Tasks in the order they are handed out. */
  tasks: readonly JobTask[];
  /** Most child processes at once (at most one per task). */
  jobs: number;
  signal?: AbortSignal;
  onEvent?: (event: ExperimentEvent) => void;
  /** A task's name in messages (e.g. `fold 2/6`, `final model`). */
  labelOf: (task: JobTask) => string;
  /** Called in the parent when a task has finished (its fold file is written). */
  onTaskDone: (task: JobTask) => void;
}

/** Thrown by {@link runJobs} when its signal stopped the jobs (every job has exited). */
export class JobsInterrupted extends EmovoxError {
  constructor() {
    super('parallel jobs interrupted');
    this.name = 'JobsInterrupted';
  }
}

function workerPath(): string {
  // Under tsx (tests, dev) this module is src/train/jobs.ts and the entry is a .ts file too.
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return fileURLToPath(new URL(`./job-worker${ext}`, import.meta.url));
}

/** The error a job reported, rebuilt with its class where it is one of emovox's explained errors. */
export function rebuildJobError(label: string, e: JobError): Error {
  if (e.name === 'EmovoxParameterError' && e.source !== undefined && e.problem !== undefined)
    return new EmovoxParameterError(e.source, e.problem);
  if (e.name === 'EmovoxInputError' && e.source !== undefined && e.problem !== undefined)
    return new EmovoxInputError(e.source, e.problem);
  if (e.name.startsWith('Emovox')) return new EmovoxError(`${label}: ${e.message}`);
  // A bug inside the job: keep its stack, which the CLI prints for unexplained errors.
  const error = new Error(`${label}: ${e.message}`);
  if (e.stack) error.stack = `${error.message}\n(in the job) ${e.stack}`;
  return error;
}

/**
 * Runs `tasks` on up to `jobs` child processes (src/train/job-worker.ts), each preparing the data
 * once and then taking one task at a time. Progress events of the jobs (fold starts, epochs, log
 * lines) are passed to `onEvent`, with a `jobs` event whenever a task starts or ends; batch
 * events are not forwarded.
 *
 * The first failing task stops the others after their current epoch and its error is thrown
 * once every job has exited. When `signal` aborts, every job stops after its epoch (checkpoint
 * written, no fold file half-written) and {@link JobsInterrupted} is thrown.
 */
export async function runJobs(options: RunJobsOptions): Promise<void> {
  const queue = [...options.tasks];
  const total = queue.length;
  const running = new Map<ChildProcess, JobTask | null>();
  let done = 0;
  let failure: Error | undefined;
  let stopping = false;
  const progress = () =>
    options.onEvent?.({
      type: 'jobs',
      done,
      total,
      running: [...running.values()].filter((t): t is JobTask => t !== null).map(options.labelOf),
    });
  const send = (child: ChildProcess, message: ToJob) => {
    if (child.connected) child.send(message);
  };
  const stopAll = () => {
    if (stopping) return;
    stopping = true;
    for (const child of running.keys()) send(child, { type: 'stop' });
  };
  const next = (child: ChildProcess) => {
    const task = stopping ? undefined : queue.shift();
    if (task === undefined) {
      running.set(child, null);
      send(child, { type: 'exit' });
      return;
    }
    running.set(child, task);
    send(child, { type: 'task', task });
    progress();
  };
  const onAbort = () => stopAll();
  options.signal?.addEventListener('abort', onAbort);
  if (options.signal?.aborted) stopAll();
  const count = Math.max(1, Math.min(options.jobs, total));
  try {
    await Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<void>((resolve) => {
            const child = fork(workerPath(), [], {
              // Test runners' own flags must not start a test runner in the job.
              execArgv: process.execArgv.filter((a) => !a.startsWith('--test')),
              stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
              // Structured clone: recipes keep every value (JSON would turn an .inf into null).
              serialization: 'advanced',
            });
            running.set(child, null);
            let reported = false;
            child.on('message', (message: FromJob) => {
              switch (message.type) {
                case 'event':
                  options.onEvent?.(message.event);
                  return;
                case 'done':
                  done += 1;
                  try {
                    options.onTaskDone(message.task);
                  } catch (error) {
                    failure ??= error as Error;
                    stopAll();
                  }
                  next(child);
                  if (running.get(child) === null) progress();
                  return;
                case 'interrupted':
                  // A job stopped on its own signal (e.g. SIGTERM sent to it alone): stop the rest too.
                  reported = true;
                  running.set(child, null);
                  stopAll();
                  return;
                case 'error': {
                  reported = true;
                  const label = message.task === null ? 'job' : options.labelOf(message.task);
                  failure ??= rebuildJobError(label, message.error);
                  running.set(child, null);
                  stopAll();
                  return;
                }
              }
            });
            child.on('error', (error) => {
              failure ??= new EmovoxError(`could not start a training job: ${error.message}`);
              stopAll();
            });
            child.on('exit', (code, signal) => {
              const task = running.get(child);
              running.delete(child);
              if (task !== null && task !== undefined && !reported && !failure) {
                failure = new EmovoxError(
                  `${options.labelOf(task)}: its job process ended without a result (${signal ? `signal ${signal}` : `exit code ${code}`})`,
                );
                stopAll();
              } else if (task === null && code !== 0 && !reported && !stopping && !failure) {
                failure = new EmovoxError(`a training job ended with exit code ${code ?? signal}`);
                stopAll();
              }
              resolve();
            });
            send(child, {
              type: 'init',
              recipe: options.recipe,
              out: options.out,
              resume: options.resume,
              validationOnly: options.validationOnly,
            });
            next(child);
          }),
      ),
    );
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (failure) throw failure;
  if (options.signal?.aborted || done < total) throw new JobsInterrupted();
}
