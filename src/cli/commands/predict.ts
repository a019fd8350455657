import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { collectAudioFiles, type InputProblem } from '../../extract/extract-files.js';
import {
  PREDICT_MAX_DURATION_S,
  predictFiles,
  type FileFailure,
  type FilePrediction,
  type PredictFilesResult,
} from '../../infer/batch.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { EmovoxInputError, EmovoxParameterError, errorMessage } from '../../util/errors.js';
import { checkOutputPaths } from '../../util/output-paths.js';
import { addQueueOptions, queueClientOptions, type QueueCliOptions } from '../queue-options.js';
import { displayPath, displayText, EXIT, parseCount, parseSeconds, problemLine } from '../report.js';
import type { CommandModule } from './index.js';

/** Output formats of `emovox predict`. */
export type PredictFormat = 'table' | 'json' | 'csv' | 'jsonl';

/** Options of `emovox predict` (as commander parses them). */
export interface PredictOptions extends QueueCliOptions {
  model?: string;
  timeline?: boolean;
  vad: 'silero' | 'energy' | 'none';
  window?: number;
  hop?: number;
  smoothing?: number;
  format: PredictFormat;
  out?: string;
  workers?: number;
  maxDuration: number;
  progress?: boolean;
}

/** Files at or above which a terminal gets a progress bar. */
const PROGRESS_FROM = 20;

function parsePositive(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0) || !Number.isFinite(n))
    throw new InvalidArgumentError('must be a number > 0');
  return n;
}

function parseNonNegative(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0) || !Number.isFinite(n))
    throw new InvalidArgumentError('must be a number >= 0');
  return n;
}

/** One output row: a result or a failure. */
type Row = { file: string } & ({ prediction: FilePrediction } | { failure: FileFailure });

/** Rows of every input file, stable-sorted by path (code-unit order, as `sort` does). */
export function sortedRows(result: Pick<PredictFilesResult, 'results' | 'failures'>): Row[] {
  const rows: Row[] = [
    ...result.results.map((p) => ({ file: p.file, prediction: p })),
    ...result.failures.map((f) => ({ file: f.file, failure: f })),
  ];
  // Array.prototype.sort is stable: equal paths (a file given twice) keep their input order.
  return rows.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

function jsonRecord(row: Row): Record<string, unknown> {
  if ('failure' in row) return { file: row.file, error: row.failure.problem };
  const p = row.prediction;
  const record: Record<string, unknown> = {
    file: p.file,
    label: p.label,
    scores: Object.fromEntries(Object.entries(p.scores).map(([k, v]) => [k, round(v)])),
    durationS: round(p.durationS, 3),
    confidence: round(p.confidence),
    lowConfidence: p.lowConfidence,
  };
  if (p.segments) {
    record.segments = p.segments.map((s) => ({
      startS: round(s.startS, 3),
      endS: round(s.endS, 3),
      label: s.label,
      scores: Object.fromEntries(Object.entries(s.scores).map(([k, v]) => [k, round(v)])),
      confidence: round(s.confidence),
      lowConfidence: s.lowConfidence,
    }));
  }
  return record;
}

function csvField(value: string | number | boolean): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV: one row per file (per segment with --timeline), a header naming every label's column. */
export function formatCsv(rows: readonly Row[], labels: readonly string[], timeline: boolean): string {
  const head = [
    'file',
    ...(timeline ? ['start_s', 'end_s'] : []),
    'label',
    'confidence',
    'low_confidence',
    'duration_s',
    ...labels.map((l) => `p_${l}`),
    'error',
  ];
  const lines = [head.join(',')];
  const empty = labels.map(() => '');
  for (const row of rows) {
    if ('failure' in row) {
      lines.push(
        [row.file, ...(timeline ? ['', ''] : []), '', '', '', '', ...empty, row.failure.problem]
          .map(csvField)
          .join(','),
      );
      continue;
    }
    const p = row.prediction;
    const spans = timeline ? (p.segments ?? []) : [{ ...p, startS: 0, endS: p.durationS }];
    for (const s of spans) {
      lines.push(
        [
          p.file,
          ...(timeline ? [round(s.startS, 3), round(s.endS, 3)] : []),
          s.label,
          round(s.confidence),
          s.lowConfidence,
          round(p.durationS, 3),
          ...labels.map((l) => round(s.scores[l] ?? 0)),
          '',
        ]
          .map(csvField)
          .join(','),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A fixed-width table for terminals: file, label (`?` when low-confidence), confidence, duration, every label's probability. */
export function formatTable(rows: readonly Row[], labels: readonly string[], timeline: boolean): string {
  const short = labels.map((l) => l.slice(0, 7));
  const width = Math.min(60, Math.max(4, ...rows.map((r) => displayPath(r.file).length)));
  const fit = (s: string) => (s.length > width ? `…${s.slice(s.length - width + 1)}` : s.padEnd(width));
  const lines = [
    [fit('file'), 'label'.padEnd(10), ' conf', '  dur s', ...short.map((l) => l.padStart(8))].join(' '),
  ];
  const line = (file: string, s: Omit<FilePrediction, 'file'>, dur: string) =>
    [
      fit(file),
      `${s.label}${s.lowConfidence ? '?' : ''}`.padEnd(10),
      s.confidence.toFixed(2).padStart(5),
      dur.padStart(7),
      ...labels.map((l) => (s.scores[l] ?? 0).toFixed(2).padStart(8)),
    ].join(' ');
  for (const row of rows) {
    const file = displayPath(row.file);
    if ('failure' in row) {
      lines.push(`${fit(file)} FAILED: ${displayText(row.failure.problem)}`);
      continue;
    }
    const p = row.prediction;
    lines.push(line(file, p, p.durationS.toFixed(2)));
    if (timeline) {
      for (const s of p.segments ?? [])
        lines.push(
          line(
            `  ${s.startS.toFixed(2)}-${s.endS.toFixed(2)} s`,
            { ...s, durationS: s.endS - s.startS },
            (s.endS - s.startS).toFixed(2),
          ),
        );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The document `--format` asks for. */
export function formatPredictions(
  rows: readonly Row[],
  labels: readonly string[],
  format: PredictFormat,
  timeline: boolean,
): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(rows.map(jsonRecord), null, 2)}\n`;
    case 'jsonl':
      return rows.map((r) => `${JSON.stringify(jsonRecord(r))}\n`).join('');
    case 'csv':
      return formatCsv(rows, labels, timeline);
    default:
      return formatTable(rows, labels, timeline);
  }
}

/**
 * Runs `emovox predict`: checks the options, the output path and the model before any file is
 * read, scores every file on worker threads, prints or writes the results sorted by path, and
 * reports failures on stderr.
 * @returns 0 when every input worked, 1 when any file or input failed (the others are still
 *   reported), 2 for usage errors (thrown as EmovoxParameterError).
 */
export async function runPredict(
  inputs: string[],
  options: PredictOptions,
  out: (text: string) => void = (t) => process.stdout.write(t),
  err: (line: string) => void = console.error,
): Promise<number> {
  if (options.out) checkOutputPaths([options.out], { inputs, parameter: '--out' });
  const queue = queueClientOptions(options, (line) => err(line));
  if (queue && options.workers !== undefined)
    throw new EmovoxParameterError(
      '--workers',
      'sets local threads; with --queue each `emovox worker --workers` sets its own',
    );
  if (options.hop !== undefined && options.window !== undefined && options.hop > options.window)
    throw new EmovoxParameterError('--hop', `must not exceed --window (${options.window} s)`);
  if (!options.timeline && (options.window !== undefined || options.hop !== undefined))
    throw new EmovoxParameterError('--window', '--window and --hop need --timeline');
  const problems: InputProblem[] = [];
  const files = collectAudioFiles(inputs, problems);
  for (const p of problems) err(`problem: ${problemLine(p.source, p.problem)}`);
  if (files.length === 0)
    throw new EmovoxParameterError('inputs', `no audio files found in ${inputs.join(' ')}`);
  if (options.out) {
    checkOutputPaths([options.out], { inputs: files, parameter: '--out' });
    try {
      mkdirSync(dirname(resolve(options.out)), { recursive: true });
    } catch (error) {
      throw new EmovoxParameterError(
        '--out',
        `${options.out}: cannot create its folder (${errorMessage(error)})`,
      );
    }
  }
  const showBar =
    (options.progress ?? true) && process.stderr.isTTY === true && files.length >= PROGRESS_FROM;
  const bar = showBar
    ? new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: 'predict {bar} {value}/{total} files | {eta_formatted} left | failed {failed}',
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let result: PredictFilesResult;
  try {
    bar?.start(files.length, 0, { failed: 0 });
    const common = {
      model: options.model,
      maxDuration: options.maxDuration,
      ...(options.timeline
        ? {
            timeline: {
              vad: options.vad,
              ...(options.window !== undefined ? { window: options.window } : {}),
              ...(options.hop !== undefined ? { hop: options.hop } : {}),
              ...(options.smoothing !== undefined ? { smoothing: options.smoothing } : {}),
            },
          }
        : {}),
      onProgress: (done: number, _total: number, failed: number) => bar?.update(done, { failed }),
    };
    result = queue
      ? await (await import('../../queue/predict-client.js')).predictOnQueue(files, { ...common, ...queue })
      : await predictFiles(files, { ...common, workers: options.workers });
  } catch (error) {
    // A model that cannot be loaded is a wrong command line: nothing was read.
    if (
      error instanceof EmovoxInputError &&
      !(error instanceof EmovoxParameterError) &&
      error.source !== '--queue'
    )
      throw new EmovoxParameterError('--model', error.message);
    throw error;
  } finally {
    bar?.stop();
  }
  // Inputs that could not be used (a missing path, an unreadable folder) are rows too, so the
  // output accounts for every argument.
  const rows = sortedRows({
    results: result.results,
    failures: [...result.failures, ...problems.map((p) => ({ file: p.source, problem: p.problem }))],
  });
  const labels = result.results[0] ? Object.keys(result.results[0].scores) : [];
  const text = formatPredictions(rows, labels, options.format, options.timeline === true);
  let writeFailed = false;
  if (options.out) {
    try {
      await writeFileAtomic(options.out, text);
    } catch (error) {
      writeFailed = true;
      err(
        `not written: ${problemLine(options.out, errorMessage(error))}; the previous file was left as it was`,
      );
    }
  } else out(text);
  for (const f of result.failures) err(`failed: ${problemLine(f.file, f.problem)}`);
  const rate = result.seconds > 0 ? result.results.length / result.seconds : 0;
  err(
    `${result.results.length}/${files.length} files in ${result.seconds.toFixed(2)} s ` +
      `(${rate.toFixed(1)} files/s, ${(result.audioS / Math.max(result.seconds, 1e-9)).toFixed(0)}x real time, ` +
      `${result.workers === 0 ? 'main thread' : `${result.workers} workers`})` +
      (options.out && !writeFailed ? ` -> ${options.out}` : ''),
  );
  return result.failures.length > 0 || problems.length > 0 || writeFailed ? EXIT.failed : EXIT.ok;
}

/** `emovox predict`: emotion of audio files with the bundled (or any) model. */
export const predictCommand: CommandModule = {
  register(program: Command): void {
    const command = program
      .command('predict')
      .description(
        'Recognise the emotion of audio files (any format and rate emovox reads) with the bundled model or ' +
          'any bundle: label, calibrated probability of every label, confidence. Folders are walked recursively; ' +
          'rows are sorted by path. Exit code 0 when every file worked, 1 when any failed (the others are still ' +
          'reported), 2 for usage errors (nothing read).',
      )
      .argument('<inputs...>', 'audio files or folders')
      .option(
        '-m, --model <bundle>',
        'a bundled model name or a bundle folder / .emovox file (default: emovox-acted7; `emovox models` lists them)',
      )
      .option(
        '--timeline',
        'score speech windows over time (voice activity detection), not just the whole file',
      )
      .addOption(
        new Option('--vad <kind>', 'with --timeline: voice activity detector')
          .choices(['silero', 'energy', 'none'])
          .default('silero'),
      )
      .option('--window <seconds>', 'with --timeline: window length (default 3)', parsePositive)
      .option('--hop <seconds>', 'with --timeline: step between windows (default window / 2)', parsePositive)
      .option(
        '--smoothing <seconds>',
        'with --timeline: smoothing time constant across windows (default 2; 0 = none)',
        parseNonNegative,
      )
      .addOption(
        new Option('-f, --format <format>', 'output format')
          .choices(['table', 'json', 'csv', 'jsonl'])
          .default('table'),
      )
      .option(
        '-o, --out <file>',
        'write the output to this file (atomically) instead of stdout; never one of the inputs',
      )
      .option('-w, --workers <n>', 'worker threads (default: all cores; 0 = main thread)', parseCount)
      .option(
        '--max-duration <seconds>',
        `refuse audio longer than this, before decoding it (default ${PREDICT_MAX_DURATION_S}; "inf" = no limit)`,
        parseSeconds,
        PREDICT_MAX_DURATION_S,
      )
      .option('--no-progress', 'no progress bar, even on a terminal');
    addQueueOptions(command, 'files').action(async (inputs: string[], options: PredictOptions) => {
      process.exitCode = await runPredict(inputs, options);
    });
  },
};
