import { readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { extname, join } from 'node:path';
import { fileKind } from '../util/atomic-file.js';
import { EmovoxInputError, errorMessage } from '../util/errors.js';

/** File extensions {@link collectAudioFiles} picks up inside folders (lower case). */
export const AUDIO_EXTENSIONS: readonly string[] = [
  '.wav',
  '.wave',
  '.flac',
  '.mp3',
  '.ogg',
  '.oga',
  '.opus',
  '.aif',
  '.aiff',
  '.aifc',
];

/** Something in the inputs that could not be used: a missing path, an unreadable folder, a FIFO. */
export interface InputProblem {
  readonly source: string;
  readonly problem: string;
}

function why(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return errorMessage(error);
}

/**
 * Expands files and folders into a list of audio files: a file argument is kept whatever its
 * extension (the decoder sniffs the content); a folder is walked recursively for files whose
 * extension is in {@link AUDIO_EXTENSIONS} (case-insensitive), in sorted order, following
 * symbolic links once (a link loop is not walked twice). Hidden entries (dot-names) are skipped.
 * Only regular files are audio: a FIFO, a device or a socket named as an input is a problem, and
 * one inside a folder is skipped.
 *
 * One bad input never loses the rest: a missing path, a folder that cannot be listed (EACCES)
 * or a special file is pushed to `problems` and the walk goes on. Without a `problems` array,
 * the first such input throws instead (nothing is skipped silently).
 *
 * @param inputs - file or folder paths.
 * @param problems - receives `{ source, problem }` for every input or folder that could not be used.
 * @returns file paths, inputs in the given order, each folder's files sorted by path.
 * @throws EmovoxInputError for the first problem when `problems` is not given.
 */
export function collectAudioFiles(inputs: readonly string[], problems?: InputProblem[]): string[] {
  const report = (source: string, problem: string) => {
    if (!problems) throw new EmovoxInputError(source, problem);
    problems.push({ source, problem });
  };
  const out: string[] = [];
  const seenDirs = new Set<string>();
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      const real = realpathSync(dir);
      if (seenDirs.has(real)) return;
      seenDirs.add(real);
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      );
    } catch (error) {
      report(dir, `cannot list folder (${why(error)}); its files were skipped`);
      return;
    }
    for (const entry of entries) {
      const name = entry.name;
      if (name.startsWith('.')) continue;
      const full = join(dir, name);
      // The entry's own type saves a stat per file (a corpus folder holds thousands); links and
      // file systems that report no type are stat'ed to see what they point at.
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (!isDirectory && !isFile) {
        try {
          const stats = statSync(full);
          isDirectory = stats.isDirectory();
          isFile = stats.isFile();
        } catch {
          continue; // dangling link
        }
      }
      if (isDirectory) walk(full);
      else if (isFile && AUDIO_EXTENSIONS.includes(extname(name).toLowerCase())) out.push(full);
    }
  };
  for (const input of inputs) {
    let stats: Stats;
    try {
      stats = statSync(input);
    } catch (error) {
      report(input, why(error));
      continue;
    }
    if (stats.isDirectory()) walk(input);
    else if (stats.isFile()) out.push(input);
    else report(input, `is ${fileKind(stats)}, not a regular file; only regular files are read as audio`);
  }
  return out;
}
