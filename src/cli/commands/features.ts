import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { FeatureCache } from '../../extract/cache.js';
import { extractFeatures, MAX_DURATION_S, type ExtractProgress } from '../../extract/extract.js';
import { ExtractionPool } from '../../extract/extraction-pool.js';
import { collectAudioFiles, type InputProblem } from '../../extract/extract-files.js';
import { featureOutputPaths, writeFeatureOutput, type MatrixLayout } from '../../extract/extract-output.js';
import {
  checkFeatureSpec,
  featureSetDefinition,
  featureSetNames,
  featureSpec,
  type JsonValue,
} from '../../features/sets.js';
import { EmovoxParameterError } from '../../util/errors.js';
import { checkOutputPaths } from '../../util/output-paths.js';
import { addQueueOptions, queueClientOptions, type QueueCliOptions } from '../queue-options.js';
import { EXIT, parseCount, parseSeconds, problemLine } from '../report.js';
import type { CommandModule } from './index.js';

/** Options of `emovox features` (as commander parses them). */
export interface FeaturesOptions extends QueueCliOptions {
  set: string;
  out: string;
  workers?: number;
  cache?: string | false;
  param: Record<string, JsonValue>;
  json?: boolean;
  maxDuration: number;
  strict?: boolean;
  layout: MatrixLayout;
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

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * Runs `emovox features`: checks everything that can be checked before work (set, parameters
 * with a dry run, output paths against the inputs, options), walks the inputs, extracts, writes
 * the outputs as one atomic set, and reports.
 *
 * @param inputs - audio files and folders.
 * @param options - parsed command options.
 * @param out - printer for stdout (the `--json` document).
 * @param err - printer for stderr (failures, warnings, notes, the summary).
 * @returns the exit code: 0 all files extracted, 1 some failed (or an input could not be used,
 *   or nothing could be written), 2 usage error.
 * @throws EmovoxParameterError for usage errors (the entry point maps it to exit code 2).
 */
export async function runFeatures(
  inputs: string[],
  options: FeaturesOptions,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  // Worker threads start first (~0.1 s of CPU each) and come up while the main thread checks the
  // options and walks the folders; any usage error below closes them before a file is read.
  const pool =
    options.queue === undefined && options.workers !== 0 ? new ExtractionPool(options.workers) : undefined;
  try {
    return await runFeaturesWith(pool, inputs, options, out, err);
  } finally {
    await pool?.close();
  }
}

async function runFeaturesWith(
  pool: ExtractionPool | undefined,
  inputs: string[],
  options: FeaturesOptions,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const spec = featureSpec(options.set, options.param);
  checkFeatureSpec(spec);
  const queue = queueClientOptions(options, (line) => err(line));
  if (queue && options.workers !== undefined)
    throw new EmovoxParameterError(
      '--workers',
      'sets local threads; with --queue each `emovox worker --workers` sets its own',
    );
  const kind = featureSetDefinition(spec.name).kind;
  const outputs = featureOutputPaths(options.out, kind, options.layout);
  checkOutputPaths([options.out], { extension: '.npy', parameter: '--out' });
  checkOutputPaths(outputs, { inputs, parameter: '--out' });

  const problems: InputProblem[] = [];
  const files = collectAudioFiles(inputs, problems);
  for (const p of problems) err(`problem: ${problemLine(p.source, p.problem)}`);
  if (files.length === 0) {
    throw new EmovoxParameterError('inputs', `no audio files found in ${inputs.join(' ')}`);
  }
  // Explicit file arguments may have any extension: check the outputs against them too.
  checkOutputPaths(outputs, { inputs: files, parameter: '--out' });
  // Create the output folder before the long part, so a bad --out fails in a second, not after the batch.
  try {
    mkdirSync(dirname(resolve(options.out)), { recursive: true });
  } catch (error) {
    throw new EmovoxParameterError(
      '--out',
      `${options.out}: cannot create its folder (${(error as Error).message})`,
    );
  }

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
    result = queue
      ? await (
          await import('../../queue/features-client.js')
        ).extractOnQueue(files, spec, {
          ...queue,
          // A named cache folder is passed to the workers as is (it must be a path they share);
          // without one each worker uses its own.
          cache: options.cache,
          onProgress,
          maxDuration: options.maxDuration,
          strict: options.strict ?? false,
        })
      : await extractFeatures(files, spec, {
          ...(pool ? { pool } : { workers: 0 }),
          cache:
            options.cache === false
              ? false
              : new FeatureCache(options.cache ? resolve(options.cache) : undefined),
          onProgress,
          maxDuration: options.maxDuration,
          strict: options.strict ?? false,
        });
  } finally {
    bar?.stop();
  }
  for (const note of result.notes) err(`note: ${note}`);
  for (const f of result.failures) err(`failed: ${problemLine(f.source, f.problem)}`);
  for (const r of result.results) for (const w of r.warnings) err(`warning: ${problemLine(r.source, w)}`);

  let written;
  let writeProblem: string | undefined;
  if (result.results.length > 0) {
    try {
      written = await writeFeatureOutput(options.out, result, { layout: options.layout, problems });
    } catch (error) {
      if (error instanceof EmovoxParameterError) throw error;
      writeProblem = problemLine(
        (error as { source?: string }).source ?? options.out,
        (error as { problem?: string }).problem ?? (error as Error).message,
      );
      err(`not written: ${writeProblem}; previous outputs left as they were`);
    }
  } else {
    writeProblem = problemLine(
      options.out,
      'not written: every file failed; previous outputs left as they were',
    );
    err(writeProblem);
  }
  if (written?.padding && written.shape.length === 3) {
    const waste = written.padding.arrayBytes - written.padding.dataBytes;
    if (waste > written.padding.arrayBytes / 2 && waste >= 2 ** 20) {
      const frames = result.results.map((r) => r.value.matrix?.frames ?? 0);
      const shortest = frames.reduce((a, b) => Math.min(a, b), Infinity);
      err(
        `note: ${written.npy} is ${mib(written.padding.arrayBytes)}, ${mib(waste)} of it zero padding ` +
          `(files of ${shortest} to ${written.shape[1]} frames); --layout ragged stores only the frames`,
      );
    }
  }

  if (options.json) {
    out(
      JSON.stringify({
        set: spec.name,
        spec,
        outputs: written ?? null,
        files: result.stats.total,
        extracted: result.stats.extracted,
        failed: result.stats.failed,
        cacheHits: result.stats.cacheHits,
        cacheMisses: result.stats.cacheMisses,
        workers: result.stats.workers,
        seconds: result.stats.elapsedMs / 1000,
        failures: result.failures.map((f) => ({ source: f.source, problem: f.problem })),
        problems,
        warnings: result.results.flatMap((r) => r.warnings.map((warning) => ({ source: r.source, warning }))),
        notes: result.notes,
        writeError: writeProblem ?? null,
      }),
    );
  } else if (written) {
    const companion = written.lengths ?? written.offsets;
    err(
      `${spec.name}: ${result.stats.extracted}/${result.stats.total} files -> ${written.npy} ` +
        `(${written.shape.join(' x ')})${companion ? ` + ${companion}` : ''} + ${written.sidecar}; ` +
        `cache hits ${result.stats.cacheHits}, ${(result.stats.elapsedMs / 1000).toFixed(1)} s, ` +
        `${result.stats.workers} workers`,
    );
  }
  return result.failures.length > 0 || problems.length > 0 || !written ? EXIT.failed : EXIT.ok;
}

/** `emovox features`: one feature set from many audio files to NPY + JSON sidecar. */
export const featuresCommand: CommandModule = {
  register(program: Command): void {
    const command = program
      .command('features')
      .description(
        'Extract a named feature set from audio files and folders (walked recursively) into an NPY file ' +
          'plus <out>.json. Exit code 0 when every file worked, 1 when any file or input failed (the others ' +
          'are still written), 2 for usage errors (nothing done).',
      )
      .argument('<inputs...>', 'audio files or folders')
      .requiredOption('-s, --set <name>', `feature set: ${featureSetNames().join(', ')}`)
      .requiredOption(
        '-o, --out <file.npy>',
        'output NPY file (sidecar: <out>.json); never one of the inputs',
      )
      .option(
        '-w, --workers <n>',
        'worker threads (default: all cores; capped at the cores available; 0 = main thread)',
        parseCount,
      )
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
      .option(
        '--max-duration <seconds>',
        `refuse audio longer than this, before decoding it ("inf" = no limit)`,
        parseSeconds,
        MAX_DURATION_S,
      )
      .option('--strict', 'a truncated file fails instead of being read as far as it goes with a warning')
      .addOption(
        new Option(
          '--layout <layout>',
          'matrix sets: padded (files x maxFrames x bins + lengths) or ragged (all frames + offsets)',
        )
          .choices(['padded', 'ragged'])
          .default('padded'),
      )
      .option(
        '--json',
        'print a JSON summary on stdout (problems are also printed on stderr), no progress bar',
      );
    addQueueOptions(command, 'files').action(async (inputs: string[], options: FeaturesOptions) => {
      process.exitCode = await runFeatures(inputs, options);
    });
  },
};
