// A word-level tokenizer and vocabulary for models trained from scratch. Browser-safe.
import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';
import { normalizeText } from './normalize.js';

/** Padding id: rows are padded with it, and every text model's embedding keeps its row at zero. */
export const PAD_ID = 0;
/** Id of out-of-vocabulary words. */
export const OOV_ID = 1;
/** Id of the separator between dialogue turns (see `encodeDialogue`). */
export const SEP_ID = 2;
/** Id of the classification token a Transformer can pool (`pooling: 'cls'`). */
export const CLS_ID = 3;
/** The reserved tokens at ids 0-3. */
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[SEP]', '[CLS]'] as const;

// Words (letters/digits, with inner apostrophes: "don't", "i'm") or single punctuation marks.
const WORD = /[\p{L}\p{M}\p{N}]+(?:'[\p{L}\p{M}\p{N}]+)*|[^\s\p{L}\p{M}\p{N}]/gu;

/**
 * Splits text into word tokens: {@link normalizeText} (lower-cased, ASCII punctuation), then
 * runs of letters and digits (inner apostrophes kept: "don't") and each punctuation mark alone.
 * "Oh my God!!" → ["oh", "my", "god", "!", "!"].
 */
export function wordTokens(text: string): string[] {
  return normalizeText(text, { lowercase: true }).match(WORD) ?? [];
}

/** Options of {@link WordVocabulary.build}. */
export interface VocabularyOptions {
  /** Keep words seen at least this many times (default 2). */
  minCount?: number;
  /** Keep at most this many words besides the 4 reserved tokens, most frequent first (default: all). */
  maxWords?: number;
}

/** Serialised form of a {@link WordVocabulary} (`toJSON` / `fromJSON`). */
export interface WordVocabularyJson {
  type: 'emovox-word-vocabulary';
  version: 1;
  /** Every token by id; ids 0-3 are {@link SPECIAL_TOKENS}. */
  tokens: string[];
}

/** Options of {@link WordVocabulary.encode}. */
export interface EncodeOptions {
  /** Keep at most this many ids (default: all). */
  maxLength?: number;
  /** Which end loses tokens when too long: 'end' keeps the first ids (default), 'start' the last. */
  truncate?: 'start' | 'end';
  /** Start with {@link CLS_ID} (default false). */
  cls?: boolean;
}

/** Padded token ids of several texts: int64 [count, length] row-major, {@link PAD_ID} after each text. */
export interface TokenBatch {
  ids: BigInt64Array;
  shape: [number, number];
  /** Tokens per row before padding. */
  lengths: Int32Array;
}

/**
 * Word-level vocabulary: id 0 padding, 1 out-of-vocabulary, 2 separator, 3 CLS, then words by
 * descending training count (ties alphabetical), so a vocabulary built twice from the same texts
 * is identical.
 */
export class WordVocabulary {
  private readonly index: Map<string, number>;

  private constructor(readonly tokens: readonly string[]) {
    this.index = new Map(tokens.map((t, i) => [t, i]));
  }

  /**
   * Builds a vocabulary from training texts (never from validation or test texts).
   * @param texts - training utterances (tokenized with {@link wordTokens}).
   * @param options - minCount (default 2), maxWords (default unlimited).
   */
  static build(texts: Iterable<string>, options: VocabularyOptions = {}): WordVocabulary {
    const minCount = options.minCount ?? 2;
    const maxWords = options.maxWords ?? Infinity;
    if (!Number.isInteger(minCount) || minCount < 1)
      throw new EmovoxParameterError('minCount', `must be an integer >= 1, got ${minCount}`);
    if (!(maxWords >= 1)) throw new EmovoxParameterError('maxWords', `must be >= 1, got ${maxWords}`);
    const counts = new Map<string, number>();
    for (const text of texts) for (const w of wordTokens(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
    const words = [...counts]
      .filter(([w, n]) => n >= minCount && !(SPECIAL_TOKENS as readonly string[]).includes(w))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, maxWords)
      .map(([w]) => w);
    return new WordVocabulary([...SPECIAL_TOKENS, ...words]);
  }

  /**
   * Restores a vocabulary saved with {@link toJSON}.
   * @throws EmovoxInputError('word vocabulary', problem) for a malformed object.
   */
  static fromJSON(json: unknown): WordVocabulary {
    const j = json as Partial<WordVocabularyJson> | null;
    if (!j || j.type !== 'emovox-word-vocabulary' || !Array.isArray(j.tokens))
      throw new EmovoxInputError('word vocabulary', 'not an emovox word vocabulary');
    if (SPECIAL_TOKENS.some((t, i) => j.tokens![i] !== t))
      throw new EmovoxInputError('word vocabulary', `ids 0-3 must be ${SPECIAL_TOKENS.join(', ')}`);
    if (new Set(j.tokens).size !== j.tokens.length)
      throw new EmovoxInputError('word vocabulary', 'duplicate tokens');
    return new WordVocabulary(j.tokens.map(String));
  }

  /** Number of ids (reserved tokens included): the `vocabSize` of a text model. */
  get size(): number {
    return this.tokens.length;
  }

  /** Id of a word token ({@link OOV_ID} when unknown). */
  id(token: string): number {
    return this.index.get(token) ?? OOV_ID;
  }

  /**
   * Token ids of one text. An empty text gives [] (or [CLS] with `cls`): callers that need at
   * least one token pad with {@link OOV_ID} (see {@link encodeBatch}).
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids = wordTokens(text).map((w) => this.id(w));
    return truncateIds(options.cls ? [CLS_ID, ...ids] : ids, options);
  }

  /**
   * Pads id lists to one int64 matrix. Every row keeps at least one token: an empty row becomes
   * [OOV] so that recurrent and attention layers always see a valid position.
   * @param rows - id lists (e.g. from {@link encode} or `encodeDialogue`).
   * @param length - row length (default: the longest row, at least 1); longer rows are cut at the end.
   */
  static pad(rows: readonly number[][], length?: number): TokenBatch {
    const width = length ?? Math.max(1, ...rows.map((r) => r.length));
    const ids = new BigInt64Array(rows.length * width);
    const lengths = new Int32Array(rows.length);
    rows.forEach((row, i) => {
      const r = row.length === 0 ? [OOV_ID] : row.slice(0, width);
      r.forEach((id, j) => (ids[i * width + j] = BigInt(id)));
      lengths[i] = r.length;
    });
    return { ids, shape: [rows.length, width], lengths };
  }

  /** {@link encode} of every text, padded by {@link WordVocabulary.pad}. */
  encodeBatch(texts: readonly string[], options: EncodeOptions & { length?: number } = {}): TokenBatch {
    return WordVocabulary.pad(
      texts.map((t) => this.encode(t, options)),
      options.length,
    );
  }

  /** The tokens of ids (for inspection). */
  decode(ids: Iterable<number | bigint>): string[] {
    return [...ids].map((id) => this.tokens[Number(id)] ?? SPECIAL_TOKENS[OOV_ID]);
  }

  /** Plain JSON (kept in bundles and recipe outputs next to the model). */
  toJSON(): WordVocabularyJson {
    return { type: 'emovox-word-vocabulary', version: 1, tokens: [...this.tokens] };
  }
}

/** Cuts `ids` to `maxLength` at the end (default) or the start. */
export function truncateIds(ids: number[], options: Pick<EncodeOptions, 'maxLength' | 'truncate'>): number[] {
  const max = options.maxLength;
  if (max === undefined) return ids;
  if (!Number.isInteger(max) || max < 1)
    throw new EmovoxParameterError('maxLength', `must be an integer >= 1, got ${max}`);
  if (ids.length <= max) return ids;
  return options.truncate === 'start' ? ids.slice(ids.length - max) : ids.slice(0, max);
}
