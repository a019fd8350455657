import { readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { EmovoxInputError } from '../util/errors.js';
import type { CorpusItem, CorpusListing, CorpusLoader, CorpusProblem } from './types.js';

/** Audio file extensions loaders accept (lower case, no dot). */
export const CORPUS_AUDIO_EXTENSIONS: ReadonlySet<string> = new Set([
  'wav',
  'flac',
  'mp3',
  'ogg',
  'oga',
  'opus',
  'aiff',
  'aif',
]);

/** Upper bound on files listed below one directory, so a wrong path (`/`) cannot exhaust memory. */
export const MAX_LISTED_FILES = 2_000_000;

/** Lower-case extension of a path, without the dot (`''` when none). */
export function extensionOf(path: string): string {
  const base = posix.basename(path);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

/** File name without folders and extension. */
export function stemOf(path: string): string {
  const base = posix.basename(path);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? base : base.slice(0, dot);
}

/** True for a supported audio extension. */
export function isAudioPath(path: string): boolean {
  return CORPUS_AUDIO_EXTENSIONS.has(extensionOf(path));
}

/** Name of the folder holding `path` (`''` at the root). */
export function parentName(path: string): string {
  const dir = posix.dirname(path);
  return dir === '.' ? '' : posix.basename(dir);
}

/**
 * Lists every file below `root`, recursively, as `/`-separated paths relative to `root`, sorted.
 * Skips hidden entries (`.DS_Store`, AppleDouble `._x.wav`) and `__MACOSX` folders that zip
 * extractions leave behind. A sub-folder that cannot be listed (permissions) is reported in
 * `problems` (marked `failed`) and the walk goes on with the rest.
 *
 * @param root directory to list
 * @throws EmovoxInputError when `root` itself is not a readable directory or holds more than `MAX_LISTED_FILES`
 */
export async function listCorpusFiles(root: string): Promise<CorpusListing> {
  const files: string[] = [];
  const problems: CorpusProblem[] = [];
  const walk = async (relative: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(root, relative), { withFileTypes: true });
    } catch (error) {
      if (relative === '') throw error;
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (error as Error).message;
      problems.push({
        source: join(root, relative),
        problem: `cannot list folder (${why}); its files are missing from the corpus`,
        failed: true,
      });
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === '__MACOSX') continue;
      const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) await walk(rel);
      else if (entry.isFile() || entry.isSymbolicLink()) {
        files.push(rel);
        if (files.length > MAX_LISTED_FILES) {
          throw new EmovoxInputError(
            root,
            `more than ${MAX_LISTED_FILES} files below it; point at a corpus folder`,
          );
        }
      }
    }
  };
  try {
    await walk('');
  } catch (error) {
    if (error instanceof EmovoxInputError) throw error;
    throw new EmovoxInputError(root, `cannot list directory (${(error as Error).message})`, { cause: error });
  }
  files.sort();
  return problems.length > 0 ? { root, files, problems } : { root, files };
}

/**
 * Evenly spaced sample of at most `count` entries, so detection stays fast on large corpora
 * and still sees every part of a sorted listing.
 */
export function sampleEvenly<T>(values: readonly T[], count = 200): T[] {
  if (values.length <= count) return [...values];
  const out: T[] = [];
  for (let i = 0; i < count; i++) out.push(values[Math.floor((i * values.length) / count)]);
  return out;
}

/** Fields a name-parsing loader extracts; `path`, `corpus` and `meta` default are filled in by the builder. */
export type ParsedName = Omit<CorpusItem, 'path' | 'corpus' | 'meta'> & { meta?: CorpusItem['meta'] };

/** Specification of a loader whose labels live in each file's name (and maybe its folders). */
export interface NameLoaderSpec {
  name: string;
  title: string;
  /** Extra extensions this corpus ships besides audio (e.g. RAVDESS `.mp4`). */
  extraExtensions?: readonly string[];
  /** True when the name has this corpus's shape (used for detection, before code validation). */
  matches(relativePath: string): boolean;
  /** Parses one file; returns a problem string when the name has the shape but an invalid code. */
  parse(relativePath: string): ParsedName | string;
  /** Weight of a perfect match, below 1 for shapes other corpora could share. */
  confidence?: number;
}

/** Builds a `CorpusLoader` from a per-file name parser: non-matching audio files become problems. */
export function nameLoader(spec: NameLoaderSpec): CorpusLoader {
  const extra = new Set(spec.extraExtensions ?? []);
  const candidates = (listing: CorpusListing): string[] =>
    listing.files.filter((f) => isAudioPath(f) || extra.has(extensionOf(f)));
  return {
    name: spec.name,
    title: spec.title,
    detect(listing) {
      const sample = sampleEvenly(candidates(listing));
      if (sample.length === 0) return 0;
      const hits = sample.filter((f) => spec.matches(f)).length;
      return (hits / sample.length) * (spec.confidence ?? 1);
    },
    async load(listing) {
      const items: CorpusItem[] = [];
      const problems: CorpusProblem[] = [];
      for (const rel of candidates(listing)) {
        const source = join(listing.root, rel);
        if (!spec.matches(rel)) {
          problems.push({ source, problem: `name does not follow the ${spec.title} naming code` });
          continue;
        }
        const parsed = spec.parse(rel);
        if (typeof parsed === 'string') {
          problems.push({ source, problem: parsed });
          continue;
        }
        items.push({ path: source, corpus: spec.name, ...parsed, meta: parsed.meta ?? {} });
      }
      return { items, problems };
    },
  };
}

/** Gender word for the `f`/`m` letters corpora use (any case); undefined otherwise. */
export function genderFromLetter(letter: string): 'female' | 'male' | undefined {
  const l = letter.toLowerCase();
  return l === 'f' ? 'female' : l === 'm' ? 'male' : undefined;
}
