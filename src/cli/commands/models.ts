import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { bundledModels, DEFAULT_MODEL, modelCardText, resolveModelPath } from '../../infer/bundled.js';
import { loadBundle, modelCardMarkdown } from '../../models/bundle.js';
import { EmovoxInputError, EmovoxParameterError } from '../../util/errors.js';
import { EXIT } from '../report.js';
import type { CommandModule } from './index.js';

interface ModelsOptions {
  json?: boolean;
}

function folderBytes(path: string): number {
  return readdirSync(path, { withFileTypes: true }).reduce(
    (n, d) => n + (d.isFile() ? statSync(join(path, d.name)).size : 0),
    0,
  );
}

/** One bundle's summary line fields. */
function describe(path: string) {
  const bundle = loadBundle(path);
  const features = Object.values(bundle.inputs ?? {})
    .flatMap((i) => i.sets.map((s) => s.name))
    .join(' + ');
  const ua = bundle.card?.metrics.ua;
  return {
    labels: bundle.labels ?? [],
    features,
    kind: String(bundle.config.kind),
    temperature: bundle.calibration?.temperature ?? null,
    protocol: bundle.card?.protocol.name ?? null,
    ua: ua ? { mean: ua.mean, std: ua.std } : null,
    terms: bundle.card?.terms ?? null,
    bytes: statSync(path).isDirectory() ? folderBytes(path) : statSync(path).size,
  };
}

/**
 * Runs `emovox models`: without a name, lists the bundled models; with a name (or a bundle
 * path), prints its model card.
 * @returns the exit code.
 */
export function runModels(
  name: string | undefined,
  options: ModelsOptions,
  out: (text: string) => void = console.log,
): number {
  if (name === undefined) {
    const models = bundledModels().map((m) => ({
      name: m.name,
      path: m.path,
      default: m.isDefault,
      ...describe(m.path),
    }));
    if (options.json) {
      out(JSON.stringify(models, null, 2));
      return EXIT.ok;
    }
    if (models.length === 0) {
      out('no bundled models (the models/ folder of the package is missing)');
      return EXIT.failed;
    }
    for (const m of models) {
      out(`${m.name}${m.default ? ' (default)' : ''}`);
      out(`  classes (${m.labels.length}): ${m.labels.join(', ')}`);
      out(
        `  model: ${m.kind} on ${m.features}; ${(m.bytes / 2 ** 20).toFixed(1)} MiB; temperature ${m.temperature?.toFixed(3) ?? 'none'}`,
      );
      if (m.ua)
        out(`  UA ${(100 * m.ua.mean).toFixed(1)} % ± ${(100 * m.ua.std).toFixed(1)} (${m.protocol})`);
      if (m.terms) out(`  terms: ${m.terms}`);
      out(`  card: emovox models ${m.name}`);
    }
    return EXIT.ok;
  }
  const path = resolveModelPath(name);
  let text = modelCardText(path);
  let info;
  try {
    info = describe(path);
  } catch (error) {
    if (error instanceof EmovoxInputError)
      throw new EmovoxParameterError(
        'model',
        `${error.message} (bundled models: ${
          bundledModels()
            .map((m) => m.name)
            .join(', ') || 'none'
        })`,
      );
    throw error;
  }
  if (options.json) {
    out(JSON.stringify({ name, path, ...info, card: text ?? null }, null, 2));
    return EXIT.ok;
  }
  if (text === undefined) {
    const bundle = loadBundle(path);
    text = bundle.card
      ? modelCardMarkdown(bundle.card, bundle.labels)
      : `${path}: this bundle has no model card\n`;
  }
  out(text.trimEnd());
  return EXIT.ok;
}

/** `emovox models`: the bundled models and their model cards. */
export const modelsCommand: CommandModule = {
  register(program: Command): void {
    program
      .command('models')
      .description(
        `List the models bundled with emovox (the default, ${DEFAULT_MODEL}, is what predict and listen use), ` +
          'or print one model card: training data and licences, classes, features, measured accuracy.',
      )
      .argument('[model]', 'a bundled model name or a bundle path: print its model card')
      .option('--json', 'machine-readable output')
      .action((model: string | undefined, options: ModelsOptions) => {
        process.exitCode = runModels(model, options);
      });
  },
};
