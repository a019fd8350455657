import {
  RunningStats,
  standardize,
  type ChannelStats,
  type InputNormalization,
} from '../models/normalization.js';
import { EmovoxInputError } from '../util/errors.js';
import type { InputArray } from './arrays.js';

/** Normalisation modes a recipe may ask for. */
export type NormalizationMode = InputNormalization['mode'];

/** Per-channel statistics of `rows` of an input (all frames / pixels of each row count). */
export function fitStats(array: InputArray, rows: Iterable<number>): ChannelStats {
  const running = new RunningStats(array.layout, array.channels);
  for (const r of rows) running.add(array.rows[r]);
  if (running.count === 0) throw new EmovoxInputError('normalisation', 'no rows to fit statistics on');
  return running.stats();
}

/**
 * Normalises rows of one input during training and evaluation.
 * - `none`: rows as extracted.
 * - `global`: z-score with statistics fitted on the training rows only.
 * - `speaker`: each row z-scored with its speaker's statistics, fitted on all of that speaker's
 *   original (not augmented) rows without labels. In speaker-independent protocols a test
 *   speaker's statistics come from its own test utterances, as at deployment where a speaker's
 *   (or stream's) utterances so far provide them; the training set's raw statistics are kept as
 *   the fallback stored in the model for speakers with too few utterances.
 */
export class RowNormalizer {
  private readonly speakerStats = new Map<string, ChannelStats>();
  /** What the bundle stores for inference. */
  readonly stored: InputNormalization;

  /**
   * @param array - the input's rows.
   * @param mode - none, global or speaker.
   * @param trainRows - rows the global statistics are fitted on (training originals).
   * @param speakerOf - speaker key of each row (mode speaker).
   * @param speakerRows - rows that define each speaker's statistics (originals of every speaker).
   * @param minUtterances - stored for inference (mode speaker).
   */
  constructor(
    readonly array: InputArray,
    readonly mode: NormalizationMode,
    trainRows: readonly number[],
    private readonly speakerOf?: readonly string[],
    speakerRows?: readonly number[],
    minUtterances = 10,
  ) {
    const base = { mode, layout: array.layout, channels: array.channels } as const;
    if (mode === 'none') {
      this.stored = { ...base };
      return;
    }
    const stats = fitStats(array, trainRows);
    if (mode === 'global') {
      this.stored = { ...base, stats };
      return;
    }
    if (!speakerOf || !speakerRows) {
      throw new EmovoxInputError('normalisation', 'speaker mode needs the speaker of every row');
    }
    const groups = new Map<string, number[]>();
    for (const r of speakerRows) {
      const s = speakerOf[r];
      if (s === '')
        throw new EmovoxInputError('normalization', 'speaker mode needs speaker ids on every item');
      const list = groups.get(s) ?? [];
      list.push(r);
      groups.set(s, list);
    }
    for (const [speaker, rows] of groups) this.speakerStats.set(speaker, fitStats(array, rows));
    this.stored = { ...base, stats, minUtterances };
  }

  /** Row `r`, normalised (a new array). */
  row(r: number): Float32Array {
    const values = this.array.rows[r];
    if (this.mode === 'none') return values;
    if (this.mode === 'global') return standardize(values, this.array.layout, this.stored.stats!);
    const speaker = this.speakerOf![r];
    const stats = this.speakerStats.get(speaker);
    if (!stats) throw new EmovoxInputError('normalisation', `no statistics for speaker ${speaker}`);
    return standardize(values, this.array.layout, stats);
  }

  /** Speakers with their own statistics (mode speaker). */
  get speakers(): string[] {
    return [...this.speakerStats.keys()];
  }
}
