import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { FeatureCache } from '../../extract/cache.js';
import { extractFeatures, type ExtractProgress } from '../../extract/extract.js';
import { collectAudioFiles } from '../../extract/extract-files.js';
import { writeFeatureOutput } from '../../extract/extract-output.js';
import { featureSetDefinition, featureSetNames, featureSpec, type JsonValue } from '../../features/sets.js';
import { EmovoxInputError } from '../../util/errors.js';
import type { CommandModule } from './index.js';

interface FeaturesOptions {
  set: string;
  out: string;
  workers?: number;
  cache?: string | false;
  param: Record<string, JsonValue>;
  json?: boolean;
}

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

function collectParam(value: string, previous: Record<string, JsonValue>): Record<string, JsonValue> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected key=value');
  const key = value.slice(0, eq);
  const text = value.slice(eq + 1);
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(text) as JsonValue;
  } catch {
    parsed = text; // bare strings need no quotes
  }
  return { ...previous, [key]: parsed };
}

async function run(inputs: string[], options: FeaturesOptions): Promise<void> {
  const spec = featureSpec(options.set, options.param);
  const files = collectAudioFiles(inputs);
  if (files.length === 0) throw new EmovoxInputError(inputs.join(' '), 'no audio files found');
  // Create the output folder before the long part, so a bad --out fails in a second, not after the batch.
  mkdirSync(dirname(resolve(options.out)), { recursive: true });
  const cache =
    options.cache === false ? false : new FeatureCache(options.cache ? resolve(options.cache) : undefined);

  const showBar = !options.json && process.stderr.isTTY === true;
  const bar = showBar
    ? new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format:
            'features {bar} {value}/{total} files | {eta_formatted} left | cache hits {hits} | failed {failed}',
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(files.length, 0, { hits: 0, failed: 0 });
  const onProgress = (p: ExtractProgress) => bar?.update(p.done, { hits: p.cacheHits, failed: p.failed });

  let result;
  try {
    result = await extractFeatures(files, spec, { workers: options.workers, cache, onProgress });
  } finally {
    bar?.stop();
  }
  const written = await writeFeatureOutput(options.out, result);

  if (options.json) {
    console.log(
      JSON.stringify({
        set: spec.name,
        spec,
        outputs: written,
        files: result.stats.total,
        extracted: result.stats.extracted,
        failed: result.stats.failed,
        cacheHits: result.stats.cacheHits,
        cacheMisses: result.stats.cacheMisses,
        workers: result.stats.workers,
        seconds: result.stats.elapsedMs / 1000,
        failures: result.failures.map((f) => ({ source: f.source, problem: f.problem })),
      }),
    );
  } else {
    for (const f of result.failures) console.error(`failed: ${f.source}: ${f.problem}`);
    console.error(
      `${spec.name}: ${result.stats.extracted}/${result.stats.total} files -> ${written.npy} ` +
        `(${written.shape.join(' x ')})${written.lengths ? ` + ${written.lengths}` : ''} + ${written.sidecar}; ` +
        `cache hits ${result.stats.cacheHits}, ${(result.stats.elapsedMs / 1000).toFixed(1)} s, ` +
        `${result.stats.workers} workers`,
    );
  }
  if (result.failures.length > 0) process.exitCode = 1;
}

/** `emovox features`: one feature set from many audio files to NPY + JSON sidecar. */
export const featuresCommand: CommandModule = {
  register(program: Command): void {
    program
      .command('features')
      .description(
        'Extract a named feature set from audio files and folders (walked recursively) into an NPY file ' +
          'plus <out>.json. Exit code 1 when any file failed (the others are still written).',
      )
      .argument('<inputs...>', 'audio files or folders')
      .requiredOption('-s, --set <name>', `feature set: ${featureSetNames().join(', ')}`)
      .requiredOption('-o, --out <file.npy>', 'output NPY file (sidecar: <out>.json)')
      .option('-w, --workers <n>', 'worker threads (default: all cores; 0 = main thread)', parseWorkers)
      .option(
        '--cache <dir>',
        'feature cache folder (default: $EMOVOX_CACHE/features or ~/.cache/emovox/features)',
      )
      .option('--no-cache', 'do not read or write the feature cache')
      .option(
        '-p, --param <key=value>',
        'override a set parameter (repeatable; value parsed as JSON)',
        collectParam,
        {},
      )
      .option('--json', 'print a JSON summary on stdout, no progress bar')
      .action(async (inputs: string[], options: FeaturesOptions) => {
        featureSetDefinition(options.set); // unknown set: clear error before walking folders
        await run(inputs, options);
      });
  },
};
