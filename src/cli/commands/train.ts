import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
// The training stack (libtorch, the plotting libraries) loads when a command runs, not at CLI start.
import type { ExperimentResult } from '../../train/experiments.js';
import { removePendingTemporaryFiles } from '../../util/atomic-file.js';
import { EmovoxParameterError } from '../../util/errors.js';
import { EXIT } from '../report.js';
import type { CommandModule } from './index.js';

interface TrainOptions {
  set: string[];
  out?: string;
  resume?: string;
  folds?: number[];
  jobs?: number;
  json?: boolean;
}

/** `--jobs N`: a whole number >= 1. */
export function parseJobs(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1 || n > 64) {
    throw new InvalidArgumentError('expected a number of jobs from 1 to 64');
  }
  return n;
}

/** `1,2,5` -> [1, 2, 5]. */
export function parseFolds(value: string): number[] {
  const folds = value.split(',').map((s) => Number(s.trim()));
  if (folds.length === 0 || folds.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new InvalidArgumentError('expected fold numbers like 1,2 (1-based)');
  }
  return [...new Set(folds)];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A default run folder: runs/<recipe>-<yyyymmdd-hhmmss>. */
export function defaultRunFolder(name: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return join('runs', `${name}-${stamp}`);
}

/**
 * Ctrl-C or SIGTERM stops after the current epoch (checkpoint written; in a parallel run every
 * job does); a second signal exits at once (130 / 143), removing temporary files of writes in
 * progress. The training loop gives the event loop a turn after every batch (`fitAsync`), so the
 * handler runs while a fold trains. It replaces the CLI's exit-at-once handlers for the run and
 * puts them back after.
 */
export function interruptController(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const previous = new Map(signals.map((s) => [s, process.listeners(s)]));
  for (const s of signals) process.removeAllListeners(s);
  const handlers = signals.map((s) => {
    const handler = () => {
      if (controller.signal.aborted) {
        removePendingTemporaryFiles();
        process.exit(s === 'SIGINT' ? EXIT.interrupted : 143);
      }
      process.stderr.write(
        `\ninterrupt (${s}): stopping after this epoch (Ctrl-C again to quit now; the last checkpoint stays)\n`,
      );
      controller.abort();
    };
    process.on(s, handler);
    return [s, handler] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [s, handler] of handlers) {
        process.off(s, handler);
        for (const listener of previous.get(s) ?? []) process.on(s, listener);
      }
    },
  };
}

/** The one-paragraph summary printed after a run. */
export function runSummary(result: ExperimentResult, files: string[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const lines: string[] = [];
  if (result.metrics.length > 0) {
    const mean = (f: (i: number) => number) =>
      result.metrics.reduce((a, _m, i) => a + f(i), 0) / result.metrics.length;
    const std = (f: (i: number) => number) => {
      const m = mean(f);
      return Math.sqrt(result.metrics.reduce((a, _x, i) => a + (f(i) - m) ** 2, 0) / result.metrics.length);
    };
    const ua = (i: number) => result.metrics[i].ua;
    const wa = (i: number) => result.metrics[i].wa;
    lines.push(
      `${result.recipe.name}: UA ${pct(mean(ua))} ± ${pct(std(ua))}, WA ${pct(mean(wa))} ± ${pct(std(wa))} over ${result.metrics.length} fold${result.metrics.length === 1 ? '' : 's'} (${result.recipe.protocol.name})`,
    );
  }
  lines.push(`wall time ${result.wallSeconds.toFixed(1)} s; run folder ${result.out}`);
  if (result.model) lines.push(`model: ${result.model}`);
  for (const f of files) lines.push(`  ${f}`);
  return lines.join('\n');
}

/** A text recipe (`task: text`, docs/text.md): official train/dev/test split, no folds or resume. */
async function runText(recipePath: string, options: TrainOptions): Promise<void> {
  const { loadTextRecipe } = await import('../../train/text-recipe.js');
  const { runTextExperiment } = await import('../../train/text-experiment.js');
  if (options.folds) throw new EmovoxParameterError('--folds', 'a text recipe has one official test split');
  if (options.jobs !== undefined && options.jobs > 1)
    throw new EmovoxParameterError('--jobs', 'a text recipe has no folds to run at once');
  const recipe = loadTextRecipe(recipePath, options.set);
  const out = resolve(options.out ?? defaultRunFolder(recipe.name));
  const result = await runTextExperiment(recipe, {
    out,
    command: ['emovox', 'train', ...process.argv.slice(3)].join(' '),
    onLog: options.json ? undefined : (line) => console.error(line),
  });
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  if (options.json)
    console.log(
      JSON.stringify({
        out: result.out,
        wallSeconds: result.wallSeconds,
        test: { weightedF1: result.test.weightedF1, ua: result.test.ua, wa: result.test.wa },
        dev: { weightedF1: result.dev.weightedF1, ua: result.dev.ua, wa: result.dev.wa },
        files: result.files,
      }),
    );
  else
    console.error(
      `${recipe.name}: test weighted F1 ${pct(result.test.weightedF1)}, UA ${pct(result.test.ua)}, WA ${pct(result.test.wa)} (dev weighted F1 ${pct(result.dev.weightedF1)})\nwall time ${result.wallSeconds.toFixed(1)} s; run folder ${result.out}\n${result.files.map((f) => `  ${f}`).join('\n')}`,
    );
}

async function run(recipeArg: string | undefined, options: TrainOptions): Promise<void> {
  const resumed = options.resume ? join(resolve(options.resume), 'recipe.yaml') : undefined;
  if ((recipeArg && !options.resume) || (resumed && existsSync(resumed))) {
    const { isTextRecipe, readRecipeFile } = await import('../../train/text-recipe.js');
    if (isTextRecipe(readRecipeFile(resumed ?? recipeArg!))) {
      if (resumed)
        throw new EmovoxParameterError(
          '--resume',
          'a text run (task: text) does not resume: run its recipe again',
        );
      return runText(recipeArg!, options);
    }
  }
  const { ExperimentInterrupted, loadRecipe, ProgressReporter, runExperiment, writeRunReport } =
    await import('../../train/experiments.js');
  let recipePath: string;
  let out: string;
  if (options.resume) {
    out = resolve(options.resume);
    recipePath = join(out, 'recipe.yaml');
    if (!existsSync(recipePath))
      throw new EmovoxParameterError('--resume', `${out} has no recipe.yaml (not a run folder)`);
    if (options.set.length > 0)
      throw new EmovoxParameterError('--set', 'cannot change a recipe while resuming');
    if (options.out && resolve(options.out) !== out)
      throw new EmovoxParameterError('--out', 'a resumed run stays in its own folder');
  } else {
    if (!recipeArg) throw new EmovoxParameterError('recipe', 'give a recipe file (or --resume DIR)');
    recipePath = recipeArg;
    out = '';
  }
  const { recipe } = loadRecipe(recipePath, options.set);
  if (!options.resume) out = resolve(options.out ?? defaultRunFolder(recipe.name));
  const reporter = new ProgressReporter(!options.json && process.stderr.isTTY === true);
  const interrupt = interruptController();
  const command = ['emovox', 'train', ...process.argv.slice(3)].join(' ');
  try {
    const result = await runExperiment(recipe, {
      out,
      resume: options.resume !== undefined,
      folds: options.folds,
      jobs: options.jobs,
      command,
      signal: interrupt.signal,
      onEvent: options.json ? undefined : (e) => reporter.handle(e),
    });
    reporter.close();
    const files = await writeRunReport(result);
    if (options.json) {
      console.log(
        JSON.stringify({
          out: result.out,
          model: result.model ?? null,
          wallSeconds: result.wallSeconds,
          folds: result.metrics.map((m, i) => ({
            name: result.folds[i].name,
            ua: m.ua,
            wa: m.wa,
            macroF1: m.macroF1,
          })),
          files,
        }),
      );
    } else console.error(runSummary(result, files));
  } catch (error) {
    reporter.close();
    if (error instanceof ExperimentInterrupted) {
      console.error(error.message);
      process.exitCode = 130;
      return;
    }
    throw error;
  } finally {
    interrupt.dispose();
  }
}

/** `emovox train`: run a recipe into a run folder. */
export const trainCommand: CommandModule = {
  register(program: Command): void {
    program
      .command('train')
      .description(
        "Train and evaluate a recipe (recipes/*.yaml): features through the cache, the recipe's protocol " +
          '(speaker-independent folds), checkpoints every epoch, then metrics.json, report.txt, curves.png, ' +
          'confusion.png, report.html and the model bundle in the run folder. Ctrl-C stops after the epoch; ' +
          '--resume continues. A text recipe (task: text, recipes/meld-text*.yaml) trains on train, chooses on dev ' +
          'and scores test once. See docs/training.md and docs/text.md.',
      )
      .argument('[recipe]', 'recipe file (.yaml or .json)')
      .option(
        '--set <key=value>',
        'override a recipe key (repeatable), e.g. --set training.epochs=5',
        collect,
        [],
      )
      .option('-o, --out <dir>', 'run folder (default runs/<recipe>-<time>)')
      .option('--resume <dir>', 'continue the run in this folder with its own recipe')
      .option('--folds <list>', 'run only these folds (1-based, e.g. 1,2)', parseFolds)
      .option(
        '--jobs <n>',
        "folds trained at once, each in a child process with training.threads libtorch threads (default the recipe's training.jobs, 1); allowed with --resume",
        parseJobs,
      )
      .option('--json', 'print a JSON summary on stdout, no progress output')
      .action(async (recipe: string | undefined, options: TrainOptions) => run(recipe, options));
  },
};
