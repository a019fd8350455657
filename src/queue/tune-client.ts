// `emovox tune --queue`: every trial is a job; the winner's full run is one more. The client
// writes trials.json / trials.md as `tuneRecipe` does, from the trials' outcomes.
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { resolveRecipe, type Recipe } from '../train/recipe.js';
import { setPath } from '../train/schema.js';
import { dataRoot } from '../train/setup.js';
import { sampleTrials, trialsTable, type SearchSpace, type TrialResult } from '../train/tune.js';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import { EmovoxInputError } from '../util/errors.js';
import { runOnQueue, type PlannedJob, type QueueClientOptions } from './client.js';
import type { WinnerSummary } from './jobs.js';

/** Options of {@link tuneOnQueue}: those of `tuneRecipe` (no signal or events) plus the queue's. */
export interface QueueTuneOptions extends QueueClientOptions {
  readonly out: string;
  readonly trials: number;
  readonly method: 'random' | 'grid';
  readonly folds?: readonly number[];
  /** Run the winner on the test folds afterwards (default true). */
  readonly runWinner?: boolean;
  readonly command?: string;
  /** Called as each trial's outcome arrives (a failed trial has `problem`). */
  readonly onTrial?: (trial: number, result: TrialResult | { problem: string }) => void;
}

/** What {@link tuneOnQueue} returns. */
export interface QueueTuneResult {
  /** Trials that finished, in trial order. */
  readonly trials: TrialResult[];
  /** Trials that failed, with the reason. */
  readonly failed: { trial: number; problem: string }[];
  readonly best: TrialResult;
  /** The winner's run, when it ran. */
  readonly winner?: WinnerSummary;
  readonly monitor: string;
}

/**
 * The search of `tuneRecipe` with each trial run by a worker: the same trials (same seed, same
 * space), each scored on its folds' validation speakers, the same `trials.json` / `trials.md`
 * (rewritten after every trial, trials in trial order), the same winner. Trial folders are
 * `<out>/trial-NNN` and the winner's `<out>/best`, written by the workers: `out` must be a path
 * they share with the client. Relative corpus paths are resolved here (`data.root`, else
 * `$EMOVOX_DATA`, else this folder) so every worker reads the same corpora.
 *
 * @throws EmovoxInputError when every trial failed; see `runOnQueue` for queue errors.
 */
export async function tuneOnQueue(
  raw: Record<string, unknown>,
  recipeName: string,
  space: SearchSpace,
  options: QueueTuneOptions,
): Promise<QueueTuneResult> {
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const base = resolveRecipe(raw, recipeName);
  const points = sampleTrials(space, options.method, options.trials, base.seed);
  // The data paths as this machine resolves them, so workers started elsewhere read the same files.
  const anchored = structuredClone(raw);
  setPath(anchored, 'data.root', dataRoot(base));
  if (base.data.cache && !isAbsolute(base.data.cache))
    setPath(anchored, 'data.cache', resolve(base.data.cache));
  const rawFor = (params: Record<string, unknown>): Record<string, unknown> => {
    const r = structuredClone(anchored);
    for (const [k, v] of Object.entries(params)) setPath(r, k, v);
    return r;
  };
  const recipeFor = (params: Record<string, unknown>): Recipe => resolveRecipe(rawFor(params), recipeName);
  points.forEach((p) => recipeFor(p)); // every trial's recipe is valid before the first is enqueued
  const monitor = base.training.monitor;
  const dirOf = (trial: number) => join(out, `trial-${String(trial).padStart(3, '0')}`);
  const jobs: PlannedJob[] = points.map((params, i) => ({
    v: 1,
    kind: 'tune',
    chunk: i,
    items: [{ index: i }],
    recipe: rawFor(params),
    recipeName,
    out: dirOf(i + 1),
    winner: false,
    ...(options.folds ? { folds: options.folds } : {}),
  }));
  const results: TrialResult[] = [];
  const failed: { trial: number; problem: string }[] = [];
  const write = () => {
    const sorted = [...results].sort((a, b) => a.trial - b.trial);
    writeFileAtomicSync(
      join(out, 'trials.json'),
      JSON.stringify({ recipe: recipeName, method: options.method, monitor, trials: sorted }, null, 2),
    );
    writeFileAtomicSync(join(out, 'trials.md'), trialsTable(sorted, monitor));
  };
  const trialsRun = await runOnQueue(
    { kind: 'tune', items: points.length, jobs },
    options,
    (index, outcome) => {
      const trial = index + 1;
      if (!outcome.ok) {
        failed.push({ trial, problem: outcome.problem });
        options.onTrial?.(trial, { problem: outcome.problem });
        return;
      }
      const result: TrialResult = {
        trial,
        params: points[index],
        score: outcome.score ?? Number.NaN,
        seconds: outcome.seconds ?? 0,
        out: dirOf(trial),
      };
      results.push(result);
      write();
      options.onTrial?.(trial, result);
    },
  );
  try {
    results.sort((a, b) => a.trial - b.trial);
    failed.sort((a, b) => a.trial - b.trial);
    if (results.length === 0)
      throw new EmovoxInputError(
        out,
        `every trial failed (trial ${failed[0]?.trial}: ${failed[0]?.problem})`,
      );
    const better = (a: number, b: number) => (monitor.includes('oss') ? a < b : a > b);
    const best = results.reduce((a, b) =>
      Number.isFinite(b.score) && (!Number.isFinite(a.score) || better(b.score, a.score)) ? b : a,
    );
    let winner: WinnerSummary | undefined;
    if (options.runWinner ?? true) {
      const winnerRun = await runOnQueue(
        {
          kind: 'tune',
          items: 1,
          jobs: [
            {
              v: 1,
              kind: 'tune',
              chunk: 0,
              items: [{ index: 0 }],
              recipe: rawFor(best.params),
              recipeName,
              out: join(out, 'best'),
              winner: true,
              ...(options.folds ? { folds: options.folds } : {}),
              ...(options.command !== undefined ? { command: options.command } : {}),
            },
          ],
        },
        { ...options, runId: `${trialsRun.runId}-best`, resume: options.resume },
      );
      const outcome = winnerRun.outcomes.get(0);
      await winnerRun.finish();
      if (!outcome?.ok || !outcome.summary)
        throw new EmovoxInputError(
          join(out, 'best'),
          `the winner's run failed: ${outcome && !outcome.ok ? outcome.problem : 'no result'}`,
        );
      winner = outcome.summary;
    }
    await trialsRun.finish();
    return { trials: results, failed, best, monitor, ...(winner ? { winner } : {}) };
  } catch (error) {
    await trialsRun.close();
    throw error;
  }
}

/** The run summary of a winner that ran on a worker (the lines `emovox train` prints). */
export function winnerSummaryText(s: WinnerSummary): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const lines: string[] = [];
  const n = s.metrics.length;
  if (n > 0) {
    const stats = (values: number[]) => {
      const mean = values.reduce((a, b) => a + b, 0) / n;
      return { mean, std: Math.sqrt(values.reduce((a, x) => a + (x - mean) ** 2, 0) / n) };
    };
    const ua = stats(s.metrics.map((m) => m.ua));
    const wa = stats(s.metrics.map((m) => m.wa));
    lines.push(
      `${s.name}: UA ${pct(ua.mean)} ± ${pct(ua.std)}, WA ${pct(wa.mean)} ± ${pct(wa.std)} over ${n} fold${n === 1 ? '' : 's'} (${s.protocol})`,
    );
  }
  lines.push(`wall time ${s.wallSeconds.toFixed(1)} s; run folder ${s.out}`);
  if (s.model) lines.push(`model: ${s.model}`);
  for (const f of s.files) lines.push(`  ${f}`);
  return lines.join('\n');
}
