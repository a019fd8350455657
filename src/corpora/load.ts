import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EmovoxInputError } from '../util/errors.js';
import { extensionOf, listCorpusFiles } from './files.js';
import { asvpEsdLoader } from './loaders/asvpesd.js';
import { cremadLoader } from './loaders/cremad.js';
import { emodbLoader } from './loaders/emodb.js';
import { emovoLoader } from './loaders/emovo.js';
import { esdLoader } from './loaders/esd.js';
import { foldersLoader } from './loaders/folders.js';
import { iemocapLoader } from './loaders/iemocap.js';
import { jlCorpusLoader } from './loaders/jlcorpus.js';
import { loadManifestFile, manifestLoader } from './loaders/manifest.js';
import { meldLoader } from './loaders/meld.js';
import { mesdLoader } from './loaders/mesd.js';
import { moseiLoader } from './loaders/mosei.js';
import { ravdessLoader } from './loaders/ravdess.js';
import { saveeLoader } from './loaders/savee.js';
import { tessLoader } from './loaders/tess.js';
import { urduLoader } from './loaders/urdu.js';
import type { CorpusItem, CorpusListing, CorpusLoader, CorpusProblem, LoadedCorpus } from './types.js';

/** Every loader, in tie-break order (annotation-file corpora first, generic forms last). */
export const CORPUS_LOADERS: readonly CorpusLoader[] = [
  iemocapLoader,
  meldLoader,
  moseiLoader,
  ravdessLoader,
  asvpEsdLoader,
  tessLoader,
  cremadLoader,
  saveeLoader,
  emodbLoader,
  emovoLoader,
  urduLoader,
  mesdLoader,
  esdLoader,
  jlCorpusLoader,
  manifestLoader,
  foldersLoader,
];

/** Names accepted by `loadCorpus(dir, { corpus })`. */
export const CORPUS_NAMES: readonly string[] = CORPUS_LOADERS.map((l) => l.name);

/** Lowest detection score accepted without an explicit `corpus` option. */
export const MIN_DETECTION_SCORE = 0.3;

/** Looks a loader up by name (case-insensitive; `crema`, `jl`, `asvp`, `mosei` and `savee` spellings accepted). */
export function corpusLoader(name: string): CorpusLoader {
  const key = name.trim().toLowerCase().replace(/_/g, '-');
  const aliases: Record<string, string> = {
    crema: 'crema-d',
    cremad: 'crema-d',
    jl: 'jl-corpus',
    jlcorpus: 'jl-corpus',
    asvp: 'asvp-esd',
    asvpesd: 'asvp-esd',
    mosei: 'cmu-mosei',
    'emo-db': 'emodb',
    folder: 'folders',
  };
  const loader = CORPUS_LOADERS.find((l) => l.name === (aliases[key] ?? key));
  if (!loader) throw new EmovoxInputError(name, `unknown corpus; known: ${CORPUS_NAMES.join(', ')}`);
  return loader;
}

/** Detection score of every loader for a listing, best first. */
export async function scoreLoaders(listing: CorpusListing): Promise<{ corpus: string; score: number }[]> {
  const scores = await Promise.all(
    CORPUS_LOADERS.map(async (loader, order) => ({
      corpus: loader.name,
      score: await loader.detect(listing),
      order,
    })),
  );
  return scores
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map(({ corpus, score }) => ({ corpus, score }));
}

/**
 * Which corpus a directory holds, by scoring every loader on a sample of its file names.
 *
 * @param dir corpus root, any sub-folder of it, or an extracted Kaggle/Zenodo copy
 * @returns the best loader's name and every loader's score
 * @throws EmovoxInputError when no loader scores at least `MIN_DETECTION_SCORE`
 */
export async function detectCorpus(
  dir: string,
): Promise<{ corpus: string; scores: { corpus: string; score: number }[] }> {
  const listing = await listCorpusFiles(resolve(dir));
  const scores = await scoreLoaders(listing);
  if (scores[0].score < MIN_DETECTION_SCORE) {
    throw new EmovoxInputError(dir, 'no known corpus layout recognised; pass { corpus } explicitly');
  }
  return { corpus: scores[0].corpus, scores };
}

/** Options of `loadCorpus`. */
export interface LoadCorpusOptions {
  /** Loader name; detected from the file names when omitted. */
  corpus?: string;
  /** Manifests: accept item paths that resolve outside the manifest's folder (see `loadManifestFile`). Default false. */
  allowOutsideRoot?: boolean;
}

/** Keeps the first item per id; later copies (Kaggle archives often nest the corpus twice) become problems. */
function dropDuplicates(items: CorpusItem[], problems: CorpusProblem[]): CorpusItem[] {
  const first = new Map<string, CorpusItem>();
  const kept: CorpusItem[] = [];
  for (const item of items) {
    const earlier = first.get(item.id);
    if (earlier) {
      problems.push({
        source: item.path,
        problem: `duplicate of ${earlier.path} (same utterance id ${item.id}); skipped`,
      });
      continue;
    }
    first.set(item.id, item);
    kept.push(item);
  }
  return kept;
}

/**
 * Loads one corpus directory (or a manifest `.csv`/`.jsonl` file).
 *
 * Every supported audio file below `dir` is read by the corpus's naming code (or annotation
 * files); files the loader cannot parse are returned as `problems` (which file, why) and left
 * out. Duplicate copies of the same utterance are reported and skipped. Items are sorted by path.
 * A sub-folder that cannot be listed is a problem (marked `failed`), not the end of the corpus.
 *
 * @param dir corpus root, any sub-folder of it, or a manifest file
 * @param options `corpus`: loader name to force (default: detected); `allowOutsideRoot` for manifests
 * @throws EmovoxInputError when `dir` is unreadable, the corpus name unknown, nothing is recognised,
 *   or a manifest given directly cannot be used as a whole (empty, no path or label column)
 */
export async function loadCorpus(dir: string, options: LoadCorpusOptions = {}): Promise<LoadedCorpus> {
  const root = resolve(dir);
  let info;
  try {
    info = await stat(root);
  } catch {
    throw new EmovoxInputError(dir, 'does not exist');
  }
  if (info.isFile()) {
    if (!['csv', 'jsonl'].includes(extensionOf(root))) {
      throw new EmovoxInputError(dir, 'is a file; give a corpus directory or a .csv/.jsonl manifest');
    }
    const { items, problems } = await loadManifestFile(root, { allowOutsideRoot: options.allowOutsideRoot });
    return { corpus: 'manifest', root, items: dropDuplicates(items, problems), problems };
  }
  const listing: CorpusListing = {
    ...(await listCorpusFiles(root)),
    allowOutsideRoot: options.allowOutsideRoot,
  };
  let loader: CorpusLoader;
  if (options.corpus) loader = corpusLoader(options.corpus);
  else {
    const scores = await scoreLoaders(listing);
    if (scores[0].score < MIN_DETECTION_SCORE) {
      throw new EmovoxInputError(dir, 'no known corpus layout recognised; pass { corpus } explicitly');
    }
    loader = corpusLoader(scores[0].corpus);
  }
  const { items, problems } = await loader.load(listing);
  problems.unshift(...(listing.problems ?? []));
  const kept = dropDuplicates(items, problems);
  kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { corpus: loader.name, root, items: kept, problems };
}

/**
 * Loads several corpus directories and combines their items.
 *
 * @param dirs corpus directories (or manifests); each is detected on its own
 * @param options `corpus` forces one loader for all (default: detect each)
 * @returns each directory's result and all items together (`corpus` tells them apart)
 */
export async function loadCorpora(
  dirs: readonly string[],
  options: LoadCorpusOptions = {},
): Promise<{ corpora: LoadedCorpus[]; items: CorpusItem[]; problems: CorpusProblem[] }> {
  const corpora: LoadedCorpus[] = [];
  for (const dir of dirs) corpora.push(await loadCorpus(dir, options));
  return {
    corpora,
    items: corpora.flatMap((c) => c.items),
    problems: corpora.flatMap((c) => c.problems),
  };
}
