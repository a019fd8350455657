import type { Command } from 'commander';
import { readAudioInfo, type AudioInfo } from '../../audio/index.js';
import { EmovoxInputError, errorMessage } from '../../util/errors.js';
import { displayPath, EXIT, parseSeconds, problemLine } from '../report.js';
import type { CommandModule } from './index.js';

interface InfoRow {
  path: string;
  info?: AudioInfo;
  error?: string;
}

/** Options of `emovox info`. */
export interface InfoOptions {
  json?: boolean;
  /** Truncated files are errors. */
  strict?: boolean;
  /** Seconds: an MP3 longer than this is not decoded (length from frame headers); an ffmpeg input longer than this is an error. */
  maxDuration?: number;
}

function formatRow(row: InfoRow & { info: AudioInfo }): string {
  const i = row.info;
  const codec = i.codec && i.codec !== i.format ? `/${i.codec}` : '';
  const bits = i.bitDepth ? ` ${i.bitDepth}-bit` : '';
  return `${displayPath(row.path)}: ${i.format}${codec}${bits}, ${i.sampleRate} Hz, ${i.channels} ch, ${i.frames} frames, ${i.durationS.toFixed(3)} s`;
}

/**
 * Reports format, rate, channels, frames and duration of each file. Errors go to stderr as
 * "path: problem" (paths with control characters quoted and escaped) and make the exit code 1
 * after all files are reported; warnings (e.g. truncation) go to stderr as
 * "path: warning: ...". With `json`, stdout holds one document `{ files, errors }` and stderr
 * still gets the same lines.
 *
 * @returns exit code (0 all readable, 1 some not).
 */
export async function runInfo(
  paths: string[],
  options: InfoOptions,
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
): Promise<number> {
  const rows: InfoRow[] = [];
  for (const path of paths) {
    try {
      rows.push({
        path,
        info: await readAudioInfo(path, { strict: options.strict, maxDuration: options.maxDuration }),
      });
    } catch (error) {
      const problem =
        error instanceof EmovoxInputError && error.source === path ? error.problem : errorMessage(error);
      rows.push({ path, error: problem });
    }
  }
  let bad = 0;
  for (const row of rows) {
    if (row.error !== undefined) {
      bad++;
      err(problemLine(row.path, row.error));
    } else if (row.info) {
      for (const warning of row.info.warnings) err(problemLine(row.path, `warning: ${warning}`));
      if (!options.json) out(formatRow(row as InfoRow & { info: AudioInfo }));
    }
  }
  if (options.json) {
    const good = rows.filter((r) => r.info).map((r) => ({ path: r.path, ...r.info }));
    const errors = rows
      .filter((r) => r.error !== undefined)
      .map((r) => ({ path: r.path, error: `${r.path}: ${r.error}` }));
    out(JSON.stringify({ files: good, errors }, null, 2));
  }
  return bad > 0 ? EXIT.failed : EXIT.ok;
}

/** `emovox info <files...> [--json] [--strict] [--max-duration s]`. */
export const infoCommand: CommandModule = {
  register(program: Command): void {
    program
      .command('info')
      .description('print format, sample rate, channels, frames and duration of audio files')
      .argument('<files...>', 'audio files (WAV, AIFF, FLAC, MP3, Ogg; others through ffmpeg)')
      .option('--json', 'print one JSON document {files, errors} on stdout (problems also on stderr)')
      .option('--strict', 'a truncated file is an error, not a warning')
      .option(
        '--max-duration <seconds>',
        'bound the work per file: an MP3 longer than this is not decoded (length estimated from its frame headers), an ffmpeg-decoded input longer than this is an error (default: no limit)',
        parseSeconds,
      )
      .action(async (files: string[], options: InfoOptions) => {
        process.exitCode = await runInfo(files, options);
      });
  },
};
