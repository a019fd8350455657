import { readdirSync, realpathSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { EmovoxInputError } from '../util/errors.js';

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

/**
 * Expands files and folders into a list of audio files: a file argument is kept whatever its
 * extension (the decoder sniffs the content); a folder is walked recursively for files whose
 * extension is in {@link AUDIO_EXTENSIONS} (case-insensitive), in sorted order, following
 * symbolic links once (a link loop is not walked twice). Hidden entries (dot-names) are skipped.
 *
 * @param inputs - file or folder paths.
 * @returns file paths, inputs in the given order, each folder's files sorted by path.
 * @throws EmovoxInputError for an input that does not exist.
 */
export function collectAudioFiles(inputs: readonly string[]): string[] {
  const out: string[] = [];
  const seenDirs = new Set<string>();
  const walk = (dir: string) => {
    const real = realpathSync(dir);
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    const names = readdirSync(dir).sort();
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const full = join(dir, name);
      let stats;
      try {
        stats = statSync(full);
      } catch {
        continue; // dangling link
      }
      if (stats.isDirectory()) walk(full);
      else if (stats.isFile() && AUDIO_EXTENSIONS.includes(extname(name).toLowerCase())) out.push(full);
    }
  };
  for (const input of inputs) {
    let stats;
    try {
      stats = statSync(input);
    } catch {
      throw new EmovoxInputError(input, 'no such file or folder');
    }
    if (stats.isDirectory()) walk(input);
    else out.push(input);
  }
  return out;
}
