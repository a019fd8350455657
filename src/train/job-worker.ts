// The child-process side of a parallel run (started by runJobs in src/train/jobs.ts, never by
// hand): prepares the recipe's data once (the parent filled the feature cache), then runs the
// tasks it is sent one at a time with the recipe's libtorch threads.
//
// Stopping: a 'stop' message, SIGINT (Ctrl-C reaches the whole process group), SIGTERM or the
// parent going away end the task after its current epoch, with its checkpoint written and no
// fold file; a second signal exits at once.
import { setNumThreads } from '../engine/index.js';
import { removePendingTemporaryFiles } from '../util/atomic-file.js';
import { EmovoxInputError } from '../util/errors.js';
import { ExperimentInterrupted, runJobTask, type ExperimentEvent, type JobTask } from './experiment.js';
import type { FromJob, JobError, ToJob } from './jobs.js';
import { modelConfigFor, prepareData, type PreparedData } from './setup.js';
import type { ModelConfig } from '../models/config.js';
import type { Recipe } from './recipe.js';

const controller = new AbortController();
let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    signals += 1;
    if (signals > 1) {
      removePendingTemporaryFiles();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    controller.abort();
  });
}
process.on('disconnect', () => controller.abort());

function post(message: FromJob): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(message, undefined, {}, () => resolve());
  });
}

function asJobError(error: unknown): JobError {
  if (error instanceof EmovoxInputError)
    return { name: error.name, message: error.message, source: error.source, problem: error.problem };
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}

// Only what the parent shows: batch and data-loading progress stay in the job.
function forward(event: ExperimentEvent): void {
  if (event.type === 'batch' || event.type === 'progress') return;
  void post({ type: 'event', event });
}

let setup:
  | {
      recipe: Recipe;
      out: string;
      resume: boolean;
      validationOnly: boolean;
      data: PreparedData;
      config: ModelConfig;
    }
  | undefined;
const inbox: ToJob[] = [];
let wake: (() => void) | undefined;

process.on('message', (message: ToJob) => {
  if (message.type === 'stop') controller.abort();
  else inbox.push(message);
  wake?.();
});

async function nextMessage(): Promise<ToJob | undefined> {
  for (;;) {
    // A stop wins over queued tasks: nothing new starts once the run is stopping.
    if (controller.signal.aborted) return undefined;
    if (inbox.length > 0) return inbox.shift();
    await new Promise<void>((resolve) => {
      wake = resolve;
      controller.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    wake = undefined;
  }
}

async function main(): Promise<number> {
  let task: JobTask | null = null;
  try {
    for (;;) {
      const message = await nextMessage();
      if (message === undefined) {
        await post({ type: 'interrupted' });
        return 0;
      }
      if (message.type === 'exit') return 0;
      if (message.type === 'init') {
        const { recipe } = message;
        if (recipe.training.threads > 0) setNumThreads(recipe.training.threads);
        const data = await prepareData(recipe, () => {});
        setup = { ...message, data, config: modelConfigFor(recipe, data.dataset) };
        continue;
      }
      if (message.type !== 'task' || !setup) continue;
      task = message.task;
      await runJobTask(setup.recipe, setup.data, setup.config, task, {
        out: setup.out,
        resume: setup.resume,
        validationOnly: setup.validationOnly,
        signal: controller.signal,
        onEvent: forward,
      });
      await post({ type: 'done', task });
      task = null;
    }
  } catch (error) {
    if (error instanceof ExperimentInterrupted) {
      await post({ type: 'interrupted' });
      return 0;
    }
    await post({ type: 'error', task, error: asJobError(error) });
    return 1;
  }
}

process.exit(await main());
