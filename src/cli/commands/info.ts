import type { Command } from 'commander';
import { readAudioInfo, type AudioInfo } from '../../audio/index.js';
import { errorMessage } from '../../util/errors.js';
import type { CommandModule } from './index.js';

interface InfoRow {
  path: string;
  info?: AudioInfo;
  error?: string;
}

function formatRow(row: InfoRow & { info: AudioInfo }): string {
  const i = row.info;
  const codec = i.codec && i.codec !== i.format ? `/${i.codec}` : '';
  const bits = i.bitDepth ? ` ${i.bitDepth}-bit` : '';
  return `${row.path}: ${i.format}${codec}${bits}, ${i.sampleRate} Hz, ${i.channels} ch, ${i.frames} frames, ${i.durationS.toFixed(3)} s`;
}

/**
 * Reports format, rate, channels, frames and duration of each file; errors go to stderr as
 * "path: problem" and make the exit code 1 after all files are reported.
 */
export async function runInfo(paths: string[], options: { json?: boolean }): Promise<number> {
  const rows: InfoRow[] = [];
  for (const path of paths) {
    try {
      rows.push({ path, info: await readAudioInfo(path) });
    } catch (error) {
      rows.push({ path, error: errorMessage(error) });
    }
  }
  let bad = 0;
  for (const row of rows) {
    if (row.error !== undefined) {
      bad++;
      console.error(row.error.startsWith(`${row.path}: `) ? row.error : `${row.path}: ${row.error}`);
    } else if (row.info) {
      for (const warning of row.info.warnings) console.error(`${row.path}: warning: ${warning}`);
      if (!options.json) console.log(formatRow(row as InfoRow & { info: AudioInfo }));
    }
  }
  if (options.json) {
    const good = rows.filter((r) => r.info).map((r) => ({ path: r.path, ...r.info }));
    const errors = rows.filter((r) => r.error !== undefined).map((r) => ({ path: r.path, error: r.error }));
    console.log(JSON.stringify({ files: good, errors }, null, 2));
  }
  return bad > 0 ? 1 : 0;
}

/** `emovox info <files...> [--json]`. */
export const infoCommand: CommandModule = {
  register(program: Command): void {
    program
      .command('info')
      .description('print format, sample rate, channels, frames and duration of audio files')
      .argument('<files...>', 'audio files (WAV, AIFF, FLAC, MP3, Ogg; others through ffmpeg)')
      .option('--json', 'print one JSON document {files, errors} instead of text lines')
      .action(async (files: string[], options: { json?: boolean }) => {
        process.exitCode = await runInfo(files, options);
      });
  },
};
