// Child process of `emovox worker` that runs one tuning trial (or the winner's full run): training
// blocks its thread for long stretches, which would stop the worker's main thread from renewing
// the job's lock. The child exits when the worker goes away (the IPC channel closes), so a killed
// worker never leaves a trial writing into a folder another worker is about to resume.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EmovoxError, errorMessage } from '../util/errors.js';
import type { WinnerSummary } from './jobs.js';

/** What the worker sends the child. */
export interface TrialRequest {
  readonly recipe: Record<string, unknown>;
  readonly recipeName: string;
  readonly out: string;
  readonly folds?: readonly number[];
  readonly winner: boolean;
  readonly command?: string;
}

/** What the child sends back before exiting. */
export type TrialReply =
  | {
      readonly ok: true;
      readonly score: number | null;
      readonly seconds: number;
      readonly out: string;
      readonly summary?: WinnerSummary;
    }
  | {
      readonly ok: false;
      readonly problem: string;
      /** An emovox error (bad recipe, missing corpus): the trial fails; other errors retry the job. */
      readonly explained: boolean;
    };

async function run(request: TrialRequest): Promise<TrialReply> {
  const { resolveRecipe, runExperiment, writeRunReport } = await import('../train/experiments.js');
  try {
    const recipe = resolveRecipe(request.recipe, request.recipeName);
    // A folder holding this trial already (a worker stopped mid-trial, or a resumed tune) is
    // continued: finished folds are read back, the last checkpoint resumes.
    const resume = existsSync(join(request.out, 'recipe.yaml'));
    const result = await runExperiment(recipe, {
      out: request.out,
      folds: request.folds,
      validationOnly: !request.winner,
      resume,
      ...(request.command !== undefined ? { command: request.command } : {}),
    });
    let summary: WinnerSummary | undefined;
    if (request.winner) {
      const files = await writeRunReport(result);
      summary = {
        name: result.recipe.name,
        protocol: result.recipe.protocol.name,
        metrics: result.metrics.map((m) => ({ ua: m.ua, wa: m.wa })),
        wallSeconds: result.wallSeconds,
        out: result.out,
        ...(result.model ? { model: result.model } : {}),
        files,
      };
    }
    return {
      ok: true,
      score: Number.isFinite(result.validationScore) ? result.validationScore : null,
      seconds: result.wallSeconds,
      out: result.out,
      ...(summary ? { summary } : {}),
    };
  } catch (error) {
    return { ok: false, problem: errorMessage(error), explained: error instanceof EmovoxError };
  }
}

if (process.send) {
  process.on('disconnect', () => process.exit(70));
  process.once('message', (request: TrialRequest) => {
    void run(request).then((reply) => process.send!(reply, () => process.exit(0)));
  });
}
