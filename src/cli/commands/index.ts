import type { Command } from 'commander';

/** A CLI sub-command: registers itself (name, options, action) on the root program. */
export interface CommandModule {
  register(program: Command): void;
}

// One line per sub-command module; keep alphabetical. Modules load on demand: a command line
// naming one sub-command loads only that module, so `emovox predict` starts without the
// training, plotting and report stacks (cold start, see bench/predict.ts).
export const commandLoaders: Readonly<Record<string, () => Promise<CommandModule>>> = {
  corpus: async () => (await import('./corpus.js')).corpusCommand,
  demo: async () => (await import('./demo.js')).demoCommand,
  evaluate: async () => (await import('./evaluate.js')).evaluateCommand,
  features: async () => (await import('./features.js')).featuresCommand,
  info: async () => (await import('./info.js')).infoCommand,
  listen: async () => (await import('./listen.js')).listenCommand,
  models: async () => (await import('./models.js')).modelsCommand,
  predict: async () => (await import('./predict.js')).predictCommand,
  serve: async () => (await import('./serve.js')).serveCommand,
  train: async () => (await import('./train.js')).trainCommand,
  tune: async () => (await import('./tune.js')).tuneCommand,
  worker: async () => (await import('./worker.js')).workerCommand,
};

/**
 * The command modules to register for a command line: only the sub-command's own when the
 * first argument names one, else every module (`emovox --help`, an unknown command).
 * @param args - the arguments after the program name (`process.argv.slice(2)`).
 */
export async function commandModulesFor(args: readonly string[]): Promise<CommandModule[]> {
  const first = args[0];
  if (first !== undefined && Object.hasOwn(commandLoaders, first)) return [await commandLoaders[first]()];
  return Promise.all(Object.values(commandLoaders).map((load) => load()));
}
