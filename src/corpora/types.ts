/** Metadata values a loader keeps from a corpus's naming code (never the audio itself). */
export type MetaValue = string | number | boolean | number[] | Record<string, number>;

/**
 * One labelled recording (or segment of one) from a corpus.
 *
 * `label` is the canonical emotion (see `CANONICAL_LABELS`); `rawLabel` is the corpus's own code
 * (`W`, `ps`, `rab`, `05`...). `speaker` is the corpus-local speaker identity, `''` when the
 * corpus form carries none (generic folders / manifests without a speaker column). Everything
 * else a corpus's naming code says is kept, in named fields when common to several corpora and
 * in `meta` otherwise.
 */
export interface CorpusItem {
  /** Absolute path of the audio (or media) file. */
  path: string;
  /** Loader name (`ravdess`, `tess`, ...). */
  corpus: string;
  /** Utterance id, unique within the corpus (used to drop duplicate copies). */
  id: string;
  /** Canonical label. */
  label: string;
  /** The corpus's own label code, as written in the name / annotation. */
  rawLabel: string;
  /** Corpus-local speaker id; `''` when unknown. */
  speaker: string;
  gender?: 'female' | 'male';
  /** Transcript or spoken word(s), when the corpus provides them. */
  text?: string;
  /** Intensity code, as the corpus writes it (`01`/`02`, `LO`/`MD`/`HI`/`XX`...). */
  intensity?: string;
  /** Statement / sentence code. */
  statement?: string;
  /** Recording session (IEMOCAP `Ses01`...). */
  session?: string;
  /** Predefined corpus split (`train`, `dev`, `test`...), when the corpus ships one. */
  split?: string;
  /** Segment start within `path`, in seconds (only for corpora labelling segments of long files). */
  start?: number;
  /** Segment end within `path`, in seconds. */
  end?: number;
  /** Every other field of the corpus's naming code. */
  meta: Record<string, MetaValue>;
}

/** Something a loader could not use: which file (or line), and why. The item is left out. */
export interface CorpusProblem {
  source: string;
  problem: string;
  /**
   * True when data the user meant to include was lost (an unreadable folder, a manifest row that
   * cannot be used); false or absent for files a corpus loader does not recognise. The corpus
   * command exits 1 when any problem is `failed`.
   */
  failed?: boolean;
}

/** Items and problems of one loaded corpus directory. */
export interface LoadedCorpus {
  corpus: string;
  root: string;
  items: CorpusItem[];
  problems: CorpusProblem[];
}

/** What a loader sees of a directory: its root and every file below it (paths relative to root, `/`-separated). */
export interface CorpusListing {
  root: string;
  files: string[];
  /** Folders below the root that could not be listed (their files are missing from `files`). */
  problems?: CorpusProblem[];
  /** Manifests only: accept item paths that resolve outside the manifest's folder. Default false. */
  allowOutsideRoot?: boolean;
}

/** Loader of one corpus layout. */
export interface CorpusLoader {
  /** Short id used in `loadCorpus(dir, { corpus })` and in items' `corpus` field. */
  name: string;
  /** Human-readable name. */
  title: string;
  /**
   * How well the listing looks like this corpus: 0 (not at all) to 1 (every sampled name follows
   * its code). Generic loaders score at most 0.5 so real corpora win.
   */
  detect(listing: CorpusListing): number | Promise<number>;
  /** Reads every item below the root; unparseable files become problems. */
  load(listing: CorpusListing): Promise<{ items: CorpusItem[]; problems: CorpusProblem[] }>;
}
