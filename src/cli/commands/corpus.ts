import { InvalidArgumentError, type Command } from 'commander';
import { readAudioInfo } from '../../audio/index.js';
import { corpusLoader, loadCorpus } from '../../corpora/load.js';
import { countItemsBy } from '../../corpora/taxonomy.js';
import type { CorpusItem, CorpusProblem, LoadedCorpus } from '../../corpora/types.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { EmovoxInputError, EmovoxParameterError, errorMessage } from '../../util/errors.js';
import { checkOutputPaths } from '../../util/output-paths.js';
import { displayPath, errorLine, EXIT, problemLine } from '../report.js';
import type { CommandModule } from './index.js';

/** Options of `emovox corpus`. */
export interface CorpusCommandOptions {
  json?: boolean;
  /** Write every item as one JSON line to this file. */
  list?: string;
  /** Force a loader instead of detecting. */
  corpus?: string;
  /** Read audio headers for the total duration (default true). */
  duration?: boolean;
  /** Audio headers read at once (default 8). */
  concurrency?: number;
  /** Manifests may name files outside their folder. */
  allowOutsideRoot?: boolean;
}

/** Summary of one corpus directory, as printed by `--json`. */
export interface CorpusSummary {
  corpus: string;
  root: string;
  files: number;
  speakers: number;
  labels: Record<string, number>;
  rawLabels: Record<string, number>;
  /** Total audio duration in seconds over items whose duration could be read; null with --no-duration. */
  durationS: number | null;
  /** Items whose duration is unknown (media that needs ffmpeg, or unreadable headers). */
  durationUnknown: number;
  problems: CorpusProblem[];
}

/** Runs `task` over `values` with at most `limit` in flight. */
async function mapPool<T, R>(
  values: readonly T[],
  limit: number,
  task: (value: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(values.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < values.length) {
      const index = next++;
      results[index] = await task(values[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, values.length)) }, worker));
  return results;
}

/**
 * Duration of each item in seconds (undefined when unknown): the labelled segment for segment
 * items, else the file's header via `readAudioInfo`. `.mp4` media is not probed (needs ffmpeg).
 * Unreadable files are added to `problems`.
 */
async function itemDurations(
  items: readonly CorpusItem[],
  concurrency: number,
  problems: CorpusProblem[],
): Promise<(number | undefined)[]> {
  return mapPool(items, concurrency, async (item) => {
    if (item.start !== undefined && item.end !== undefined) return item.end - item.start;
    if (item.path.toLowerCase().endsWith('.mp4')) return undefined;
    try {
      return (await readAudioInfo(item.path)).durationS;
    } catch (error) {
      const message = errorMessage(error);
      problems.push({
        source: item.path,
        problem: `audio header unreadable (${message.replace(`${item.path}: `, '')})`,
        failed: true,
      });
      return undefined;
    }
  });
}

function summarise(loaded: LoadedCorpus, durations: (number | undefined)[] | undefined): CorpusSummary {
  const known = durations?.filter((d): d is number => d !== undefined) ?? [];
  return {
    corpus: loaded.corpus,
    root: loaded.root,
    files: loaded.items.length,
    speakers: new Set(loaded.items.map((i) => i.speaker).filter((s) => s !== '')).size,
    labels: countItemsBy(loaded.items, 'label'),
    rawLabels: countItemsBy(loaded.items, 'rawLabel'),
    durationS: durations ? Math.round(known.reduce((a, b) => a + b, 0) * 1000) / 1000 : null,
    durationUnknown: durations ? durations.length - known.length : loaded.items.length,
    problems: loaded.problems,
  };
}

/** `1h 02m 03.4s` style duration. */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds - h * 3600 - m * 60;
  return h > 0
    ? `${h}h ${String(m).padStart(2, '0')}m ${s.toFixed(1)}s`
    : m > 0
      ? `${m}m ${s.toFixed(1)}s`
      : `${s.toFixed(1)}s`;
}

const counts = (record: Record<string, number>): string =>
  Object.entries(record)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '(none)';

/** Problems listed in text mode per corpus (all of them are in --json). */
const SHOWN_PROBLEMS = 20;

/**
 * Loads each directory, prints a summary per corpus (text or `--json`), optionally writes every
 * item to a JSONL file (atomically: a failed write leaves the previous list intact). A directory
 * or manifest that cannot be loaded is reported on stderr; problems are listed in the summary
 * and, when they lose data the user meant to include (an unreadable folder, an unusable
 * manifest row, an unreadable audio header: `failed: true`), also on stderr.
 *
 * @param dirs corpus directories (or manifest files)
 * @param options see `CorpusCommandOptions`
 * @param out line printer for results (default console.log)
 * @param err line printer for errors (default console.error)
 * @returns exit code: 0, or 1 when a directory could not be loaded, a problem lost data, or the
 *   list could not be written
 * @throws EmovoxParameterError for a bad option (exit code 2)
 */
export async function runCorpus(
  dirs: string[],
  options: CorpusCommandOptions,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new EmovoxParameterError('--concurrency', `must be an integer 1-256, got ${options.concurrency}`);
  }
  if (options.corpus) {
    try {
      corpusLoader(options.corpus);
    } catch (error) {
      throw new EmovoxParameterError('--corpus', (error as EmovoxInputError).message);
    }
  }
  if (options.list)
    checkOutputPaths([options.list], { inputs: dirs, outsideInputFolders: false, parameter: '--list' });
  const summaries: CorpusSummary[] = [];
  const listLines: string[] = [];
  let failed = 0;
  for (const dir of dirs) {
    let loaded: LoadedCorpus;
    try {
      loaded = await loadCorpus(dir, {
        ...(options.corpus ? { corpus: options.corpus } : {}),
        allowOutsideRoot: options.allowOutsideRoot ?? false,
      });
    } catch (error) {
      failed++;
      err(errorLine(error));
      continue;
    }
    const durations =
      options.duration === false
        ? undefined
        : await itemDurations(loaded.items, concurrency, loaded.problems);
    summaries.push(summarise(loaded, durations));
    for (const p of loaded.problems) if (p.failed) err(`problem: ${problemLine(p.source, p.problem)}`);
    if (loaded.problems.some((p) => p.failed)) failed++;
    if (options.list) {
      loaded.items.forEach((item, i) => {
        const durationS = durations?.[i];
        listLines.push(JSON.stringify(durationS === undefined ? item : { ...item, durationS }));
      });
    }
  }
  if (options.list) {
    try {
      await writeFileAtomic(options.list, listLines.length ? `${listLines.join('\n')}\n` : '');
    } catch (error) {
      failed++;
      err(`${errorLine(error)}; previous list left as it was`);
    }
  }
  if (options.json) out(JSON.stringify({ corpora: summaries }, null, 2));
  else {
    for (const s of summaries) {
      out(`${s.corpus}: ${displayPath(s.root)}`);
      const duration =
        s.durationS === null
          ? 'not read'
          : `${formatDuration(s.durationS)}${s.durationUnknown ? ` (${s.durationUnknown} files unknown)` : ''}`;
      out(`  files ${s.files}, speakers ${s.speakers}, duration ${duration}`);
      out(`  labels: ${counts(s.labels)}`);
      out(`  raw labels: ${counts(s.rawLabels)}`);
      out(`  problems: ${s.problems.length}`);
      for (const p of s.problems.slice(0, SHOWN_PROBLEMS)) out(`    ${problemLine(p.source, p.problem)}`);
      if (s.problems.length > SHOWN_PROBLEMS)
        out(`    ... ${s.problems.length - SHOWN_PROBLEMS} more (see --json)`);
    }
  }
  return failed > 0 ? EXIT.failed : EXIT.ok;
}

function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('must be an integer 1-256');
  return n;
}

/** `emovox corpus <dirs...> [--json] [--list out.jsonl] [--corpus name] [--no-duration] [--concurrency n]`. */
export const corpusCommand: CommandModule = {
  register(program: Command): void {
    program
      .command('corpus')
      .description(
        'detect and summarise emotional-speech corpora: files, speakers, labels, duration, problems',
      )
      .argument(
        '<dirs...>',
        'corpus directories (any sub-folder or extracted archive) or .csv/.jsonl manifests',
      )
      .option('--json', 'print {corpora: [...]} as JSON instead of text')
      .option('--list <file>', 'write every item as one JSON line to <file>')
      .option('--corpus <name>', 'force a loader instead of detecting (ravdess, tess, crema-d, ...)')
      .option('--no-duration', 'do not read audio headers for the total duration')
      .option('--concurrency <n>', 'audio headers read at once', parseConcurrency, 8)
      .option(
        '--allow-outside-root',
        "manifests may name files outside the manifest's folder (by ../, absolute paths or links)",
      )
      .action(async (dirs: string[], options: CorpusCommandOptions) => {
        process.exitCode = await runCorpus(dirs, options);
      });
  },
};
