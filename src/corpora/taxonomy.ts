import { EmovoxInputError } from '../util/errors.js';
import type { CorpusItem } from './types.js';

/**
 * The canonical emotion labels every corpus maps onto. The first eight are RAVDESS's set; the rest
 * cover corpora with wider inventories (IEMOCAP, EmoDB, ASVP-ESD, JL-Corpus secondary emotions).
 * `other` is a corpus's own catch-all ("oth", ASVP "breath"); `undecided` is IEMOCAP's `xxx`
 * (annotators reached no majority).
 */
export const CANONICAL_LABELS = [
  'neutral',
  'calm',
  'happy',
  'sad',
  'angry',
  'fearful',
  'disgust',
  'surprised',
  'boredom',
  'frustrated',
  'excited',
  'contempt',
  'pain',
  'pleasure',
  'disappointed',
  'anxious',
  'apologetic',
  'assertive',
  'concerned',
  'encouraging',
  'enthusiastic',
  'other',
  'undecided',
] as const;

/** One of `CANONICAL_LABELS`. */
export type CanonicalLabel = (typeof CANONICAL_LABELS)[number];

/**
 * Raw label code -> canonical label, per corpus. Codes are matched exactly (case included) as
 * the corpus writes them. This table is the single source of the mapping; docs/corpora.md
 * prints it and a test checks the two agree.
 */
export const RAW_LABEL_MAPS: Readonly<Record<string, Readonly<Record<string, CanonicalLabel>>>> = {
  ravdess: {
    '01': 'neutral',
    '02': 'calm',
    '03': 'happy',
    '04': 'sad',
    '05': 'angry',
    '06': 'fearful',
    '07': 'disgust',
    '08': 'surprised',
  },
  tess: {
    angry: 'angry',
    disgust: 'disgust',
    fear: 'fearful',
    happy: 'happy',
    neutral: 'neutral',
    ps: 'surprised',
    sad: 'sad',
  },
  'crema-d': {
    ANG: 'angry',
    DIS: 'disgust',
    FEA: 'fearful',
    HAP: 'happy',
    NEU: 'neutral',
    SAD: 'sad',
  },
  savee: {
    a: 'angry',
    d: 'disgust',
    f: 'fearful',
    h: 'happy',
    n: 'neutral',
    sa: 'sad',
    su: 'surprised',
  },
  emodb: {
    W: 'angry',
    L: 'boredom',
    E: 'disgust',
    A: 'fearful',
    F: 'happy',
    T: 'sad',
    N: 'neutral',
  },
  iemocap: {
    neu: 'neutral',
    hap: 'happy',
    exc: 'excited',
    sad: 'sad',
    ang: 'angry',
    fru: 'frustrated',
    fea: 'fearful',
    sur: 'surprised',
    dis: 'disgust',
    oth: 'other',
    xxx: 'undecided',
  },
  mesd: {
    Anger: 'angry',
    Disgust: 'disgust',
    Fear: 'fearful',
    Happiness: 'happy',
    Neutral: 'neutral',
    Sadness: 'sad',
  },
  esd: {
    Angry: 'angry',
    Happy: 'happy',
    Neutral: 'neutral',
    Sad: 'sad',
    Surprise: 'surprised',
  },
  'jl-corpus': {
    angry: 'angry',
    sad: 'sad',
    neutral: 'neutral',
    happy: 'happy',
    excited: 'excited',
    anxious: 'anxious',
    apologetic: 'apologetic',
    assertive: 'assertive',
    concerned: 'concerned',
    encouraging: 'encouraging',
    enthusiastic: 'enthusiastic',
  },
  'asvp-esd': {
    '01': 'boredom',
    '02': 'neutral',
    '03': 'happy',
    '04': 'sad',
    '05': 'angry',
    '06': 'fearful',
    '07': 'disgust',
    '08': 'surprised',
    '09': 'excited',
    '10': 'pleasure',
    '11': 'pain',
    '12': 'disappointed',
    '13': 'other',
  },
  emovo: {
    dis: 'disgust',
    gio: 'happy',
    neu: 'neutral',
    pau: 'fearful',
    rab: 'angry',
    sor: 'surprised',
    tri: 'sad',
  },
  urdu: {
    A: 'angry',
    H: 'happy',
    N: 'neutral',
    S: 'sad',
  },
  meld: {
    neutral: 'neutral',
    joy: 'happy',
    sadness: 'sad',
    anger: 'angry',
    surprise: 'surprised',
    fear: 'fearful',
    disgust: 'disgust',
  },
  'cmu-mosei': {
    happy: 'happy',
    sad: 'sad',
    anger: 'angry',
    surprise: 'surprised',
    disgust: 'disgust',
    fear: 'fearful',
    none: 'neutral',
  },
};

/**
 * Everyday spellings of emotion words -> canonical label, for the generic forms (folder per
 * label, manifests) where the user chose the words. Matched case-insensitively.
 */
export const GENERIC_LABEL_ALIASES: Readonly<Record<string, CanonicalLabel>> = {
  neutral: 'neutral',
  neu: 'neutral',
  calm: 'calm',
  happy: 'happy',
  happiness: 'happy',
  joy: 'happy',
  joyful: 'happy',
  hap: 'happy',
  sad: 'sad',
  sadness: 'sad',
  angry: 'angry',
  anger: 'angry',
  ang: 'angry',
  fear: 'fearful',
  fearful: 'fearful',
  afraid: 'fearful',
  disgust: 'disgust',
  disgusted: 'disgust',
  surprise: 'surprised',
  surprised: 'surprised',
  'pleasant surprise': 'surprised',
  pleasant_surprise: 'surprised',
  pleasant_surprised: 'surprised',
  boredom: 'boredom',
  bored: 'boredom',
  frustrated: 'frustrated',
  frustration: 'frustrated',
  excited: 'excited',
  excitement: 'excited',
  contempt: 'contempt',
  pain: 'pain',
  pleasure: 'pleasure',
  disappointed: 'disappointed',
  disappointment: 'disappointed',
  anxious: 'anxious',
  anxiety: 'anxious',
  other: 'other',
};

/**
 * Canonical label of a corpus's raw code.
 *
 * @param corpus loader name (`ravdess`, `emodb`...)
 * @param raw the corpus's own code, exactly as written
 * @returns the canonical label, or undefined when the code is not part of that corpus's table
 */
export function canonicalLabel(corpus: string, raw: string): CanonicalLabel | undefined {
  const table = RAW_LABEL_MAPS[corpus];
  return table && Object.hasOwn(table, raw) ? table[raw] : undefined;
}

/**
 * Canonical label of a user-chosen label word (generic folders and manifests): a known spelling
 * maps through `GENERIC_LABEL_ALIASES`; any other word is kept, lower-cased and trimmed, since
 * the user defined it.
 */
export function genericLabel(raw: string): string {
  const key = raw.trim().toLowerCase().replace(/\s+/g, ' ');
  return Object.hasOwn(GENERIC_LABEL_ALIASES, key) ? GENERIC_LABEL_ALIASES[key] : key;
}

/** Label merges and filters applied after loading. */
export interface LabelMapOptions {
  /** `{ target: [labels...] }`: every listed label becomes `target` (e.g. `{ happy: ['happy', 'excited'] }`). */
  merge?: Record<string, readonly string[]>;
  /** When given, only items whose (merged) label is listed are kept. */
  keep?: readonly string[];
  /** Items whose (merged) label is listed are removed. */
  drop?: readonly string[];
}

/**
 * Applies user merges, then `keep`, then `drop`, to canonical labels. Items are copied (the input
 * is not changed); `rawLabel` is untouched, and the label before merging is kept in
 * `meta.unmergedLabel` when a merge changed it.
 *
 * @param items loaded items
 * @param options merges and filters; with none, a copy of `items` is returned
 * @returns the kept items, with merged labels
 * @throws EmovoxInputError when a label is listed under two merge targets
 *
 * @example
 * ```ts
 * import { loadCorpus, mapLabels } from 'emovox';
 *
 * // IEMOCAP's usual 4 classes: excited counts as happy, the other labels are dropped.
 * const { items } = await loadCorpus('data/IEMOCAP_full_release');
 * const four = mapLabels(items, { merge: { happy: ['happy', 'excited'] }, keep: ['angry', 'sad', 'neutral', 'happy'] });
 * console.log(four.length);
 * ```
 */
export function mapLabels<T extends CorpusItem>(items: readonly T[], options: LabelMapOptions = {}): T[] {
  const target = new Map<string, string>();
  for (const [to, froms] of Object.entries(options.merge ?? {})) {
    for (const from of froms) {
      const previous = target.get(from);
      if (previous !== undefined && previous !== to) {
        throw new EmovoxInputError(
          'mapLabels',
          `label "${from}" is merged into both "${previous}" and "${to}"`,
        );
      }
      target.set(from, to);
    }
  }
  const keep = options.keep ? new Set(options.keep) : undefined;
  const drop = new Set(options.drop ?? []);
  const out: T[] = [];
  for (const item of items) {
    const label = target.get(item.label) ?? item.label;
    if (keep && !keep.has(label)) continue;
    if (drop.has(label)) continue;
    if (label === item.label) out.push({ ...item, meta: { ...item.meta } });
    else out.push({ ...item, label, meta: { ...item.meta, unmergedLabel: item.label } });
  }
  return out;
}

/**
 * Counts items per value of a string field (default: canonical `label`), keys sorted.
 *
 * @param items items to count
 * @param field `label`, `rawLabel`, `speaker`, `corpus`... (default `label`)
 */
export function countItemsBy<T extends CorpusItem>(
  items: readonly T[],
  field: 'label' | 'rawLabel' | 'speaker' | 'corpus' | 'session' | 'split' = 'label',
): Record<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const key = item[field] ?? '';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Object.fromEntries([...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
