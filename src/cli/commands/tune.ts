import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { SearchSpace } from '../../train/tune.js';
import { EmovoxInputError, errorMessage } from '../../util/errors.js';
import { addQueueOptions, queueClientOptions, type QueueCliOptions } from '../queue-options.js';
import type { CommandModule } from './index.js';
import { defaultRunFolder, interruptController, parseFolds, runSummary } from './train.js';

interface TuneCliOptions extends QueueCliOptions {
  space: string;
  trials: number;
  method?: 'random' | 'grid';
  set: string[];
  out?: string;
  folds?: number[];
  winner: boolean;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be an integer >= 1');
  return n;
}

/**
 * `emovox tune --queue`: every trial (then the winner) is a job for `emovox worker`s; prints
 * one line per finished trial, then what a local tune prints.
 */
async function tuneQueued(
  raw: Record<string, unknown>,
  name: string,
  space: SearchSpace,
  method: 'random' | 'grid',
  out: string,
  options: TuneCliOptions,
  queue: NonNullable<ReturnType<typeof queueClientOptions>>,
): Promise<void> {
  const { tuneOnQueue, winnerSummaryText } = await import('../../queue/tune-client.js');
  const { trialsTable } = await import('../../train/experiments.js');
  let finished = 0;
  const result = await tuneOnQueue(raw, name, space, {
    ...queue,
    out,
    trials: options.trials,
    method,
    folds: options.folds,
    runWinner: options.winner,
    command: ['emovox', 'tune', ...process.argv.slice(3)].join(' '),
    onTrial: (trial, r) => {
      finished++;
      console.error(
        `[${finished}/${options.trials}] trial ${trial}: ` +
          ('problem' in r
            ? `failed: ${r.problem}`
            : `validation ${r.score.toFixed(4)} in ${r.seconds.toFixed(0)} s`),
      );
    },
  });
  for (const f of result.failed) console.error(`failed: trial ${f.trial}: ${f.problem}`);
  console.error(trialsTable(result.trials, result.monitor));
  console.error(
    `best trial ${result.best.trial}: ${JSON.stringify(result.best.params)} (validation ${result.best.score.toFixed(4)})`,
  );
  if (result.winner) console.error(winnerSummaryText(result.winner));
  if (result.failed.length > 0) process.exitCode = 1;
}

/** `emovox tune`: random or grid search on validation scores, the winner run once on the test folds. */
export const tuneCommand: CommandModule = {
  register(program: Command): void {
    const command = program
      .command('tune')
      .description(
        "Search recipe keys (random or grid). Each trial trains every fold and is scored on the folds' " +
          'validation speakers only; test folds are never looked at. The results table goes to ' +
          '<out>/trials.md, and the best trial is then run once on the test folds into <out>/best.',
      )
      .argument('<recipe>', 'recipe file')
      .requiredOption('--space <file>', 'search space (YAML/JSON): key: [values] or key: { min, max, log }')
      .requiredOption('--trials <n>', 'number of trials (grid: at most this many combinations)', positiveInt)
      .option('--method <random|grid>', "search method (default: the space file's, else random)")
      .option(
        '--set <key=value>',
        'override a recipe key for every trial (repeatable)',
        (v: string, p: string[]) => [...p, v],
        [],
      )
      .option('-o, --out <dir>', 'tuning folder (default runs/tune-<recipe>-<time>)')
      .option('--folds <list>', 'folds to run per trial (1-based)', parseFolds)
      .option('--no-winner', 'do not run the best trial on the test folds');
    addQueueOptions(command, 'trial').action(async (recipePath: string, options: TuneCliOptions) => {
      const {
        applyOverrides,
        loadSearchSpace,
        ProgressReporter,
        recipeNameOf,
        trialsTable,
        tuneRecipe,
        writeRunReport,
      } = await import('../../train/experiments.js');
      let parsed: unknown;
      try {
        const text = readFileSync(recipePath, 'utf8');
        parsed = extname(recipePath).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
      } catch (error) {
        throw new EmovoxInputError(recipePath, `cannot read recipe: ${errorMessage(error)}`);
      }
      if (typeof parsed !== 'object' || parsed === null)
        throw new EmovoxInputError(recipePath, 'a recipe must be a mapping of keys');
      const raw = applyOverrides(parsed as Record<string, unknown>, options.set);
      const { space, method } = loadSearchSpace(options.space);
      const chosen = options.method ?? method ?? 'random';
      if (chosen !== 'random' && chosen !== 'grid')
        throw new InvalidArgumentError('--method must be random or grid');
      const name = recipeNameOf(recipePath);
      const out = resolve(options.out ?? defaultRunFolder(`tune-${name}`));
      const queue = queueClientOptions(options, (line) => console.error(line));
      if (queue) {
        await tuneQueued(raw, name, space, chosen, out, options, queue);
        return;
      }
      const reporter = new ProgressReporter(process.stderr.isTTY === true);
      const interrupt = interruptController();
      try {
        const { trials, best, winner } = await tuneRecipe(raw, name, space, {
          out,
          trials: options.trials,
          method: chosen,
          folds: options.folds,
          runWinner: options.winner,
          command: ['emovox', 'tune', ...process.argv.slice(3)].join(' '),
          signal: interrupt.signal,
          onEvent: (e) => reporter.handle(e),
        });
        reporter.close();
        const monitor = winner?.recipe.training.monitor ?? 'valUa';
        console.error(trialsTable(trials, monitor));
        console.error(
          `best trial ${best.trial}: ${JSON.stringify(best.params)} (validation ${best.score.toFixed(4)})`,
        );
        if (winner) console.error(runSummary(winner, await writeRunReport(winner)));
      } finally {
        reporter.close();
        interrupt.dispose();
      }
    });
  },
};
