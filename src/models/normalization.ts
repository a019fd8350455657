// Feature normalisation as stored in a model bundle and applied at inference. Pure maths, no
// Node or engine imports: the browser and onnxruntime paths use it too.
import { EmovoxInputError } from '../util/errors.js';

/**
 * How one item's values of an input are laid out, which decides what a "channel" (one
 * normalised feature) is: `vector` [dims] (channel = element), `frames` [frames, dims] row-major
 * (channel = column), `image` [c, h, w] (channel = one of the c * h rows, its w values pooled).
 */
export type InputLayout = 'vector' | 'frames' | 'image';

/** Per-channel statistics of an input. */
export interface ChannelStats {
  /** Mean of each channel. */
  mean: number[];
  /** Standard deviation of each channel (population, floored at {@link MIN_STD}). */
  std: number[];
  /** Number of items the statistics were computed from. */
  count: number;
}

/**
 * The normalisation of one model input.
 * - `none`: values go to the model as extracted.
 * - `global`: z-score with `stats`, the training set's per-channel statistics.
 * - `speaker`: z-score with the speaker's own statistics (labels unused). When the speaker is
 *   unknown or has fewer than `minUtterances` utterances so far, `stats` (the training set's raw
 *   per-channel statistics) stand in: see {@link SpeakerNormalizer}.
 */
export interface InputNormalization {
  mode: 'none' | 'global' | 'speaker';
  layout: InputLayout;
  /** Number of channels (vector length, frame width, or c * h for images). */
  channels: number;
  /** Global statistics (mode `global`), or the fallback of mode `speaker`. */
  stats?: ChannelStats;
  /** Mode `speaker`: utterances of a speaker needed before its own statistics are used (default 10). */
  minUtterances?: number;
}

/** Smallest standard deviation used: constant channels are centred, not blown up. */
export const MIN_STD = 1e-6;

/** Channel of value `i` of an item with `length` values. */
export function channelIndex(layout: InputLayout, channels: number, length: number, i: number): number {
  return layout === 'image' ? Math.floor(i / (length / channels)) : i % channels;
}

/** Checks that an item's value count fits the layout; returns the values per channel. */
function perChannel(layout: InputLayout, channels: number, length: number, source: string): number {
  if (layout === 'vector' ? length !== channels : length % channels !== 0 || length === 0) {
    throw new EmovoxInputError(
      source,
      `${length} values do not fit a ${layout} input of ${channels} channels`,
    );
  }
  return length / channels;
}

/**
 * Z-scores one item's values with per-channel statistics: `(x - mean[c]) / std[c]`.
 * @param values - the item's values in its layout.
 * @returns a new Float32Array (the input is untouched).
 * @throws EmovoxInputError when the value count does not fit the layout or the statistics.
 */
export function standardize(
  values: Float32Array,
  layout: InputLayout,
  stats: ChannelStats,
  source = 'normalisation',
): Float32Array {
  const channels = stats.mean.length;
  if (stats.std.length !== channels) throw new EmovoxInputError(source, 'mean and std lengths differ');
  const each = perChannel(layout, channels, values.length, source);
  const out = new Float32Array(values.length);
  if (layout === 'image') {
    for (let c = 0; c < channels; c++) {
      const m = stats.mean[c];
      const s = stats.std[c];
      for (let j = c * each; j < (c + 1) * each; j++) out[j] = (values[j] - m) / s;
    }
  } else {
    for (let i = 0; i < values.length; i++) {
      const c = i % channels;
      out[i] = (values[i] - stats.mean[c]) / stats.std[c];
    }
  }
  return out;
}

/**
 * Per-channel running mean and variance (Welford, float64), item by item.
 */
export class RunningStats {
  private readonly n: Float64Array;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;
  /** Items added. */
  count = 0;

  constructor(
    readonly layout: InputLayout,
    readonly channels: number,
  ) {
    this.n = new Float64Array(channels);
    this.mean = new Float64Array(channels);
    this.m2 = new Float64Array(channels);
  }

  /** Adds one item's values (all its frames / pixels count towards their channels). */
  add(values: Float32Array, source = 'normalisation'): void {
    const each = perChannel(this.layout, this.channels, values.length, source);
    for (let i = 0; i < values.length; i++) {
      const c = this.layout === 'image' ? Math.floor(i / each) : i % this.channels;
      const x = values[i];
      const n = ++this.n[c];
      const d = x - this.mean[c];
      this.mean[c] += d / n;
      this.m2[c] += d * (x - this.mean[c]);
    }
    this.count++;
  }

  /** The statistics so far (population std, floored at {@link MIN_STD}). */
  stats(): ChannelStats {
    const std = Array.from(this.m2, (m2, c) =>
      Math.max(MIN_STD, this.n[c] > 0 ? Math.sqrt(m2 / this.n[c]) : 1),
    );
    return { mean: Array.from(this.mean), std, count: this.count };
  }
}

/**
 * Applies a stored {@link InputNormalization} to items at inference, one speaker (or stream) at
 * a time. `global` uses the stored statistics. `speaker` keeps running statistics per speaker id:
 * each item is first added to its speaker's statistics, then normalised with them once the
 * speaker has `minUtterances` items, else with the stored training-set statistics. Items without
 * a speaker id count as one anonymous speaker (a single stream).
 */
export class SpeakerNormalizer {
  private readonly speakers = new Map<string, RunningStats>();

  constructor(readonly normalization: InputNormalization) {
    if (normalization.mode !== 'none' && !normalization.stats) {
      throw new EmovoxInputError('normalisation', `mode ${normalization.mode} needs statistics`);
    }
  }

  /** Normalises one item's values (a new array; `mode: 'none'` returns a copy). */
  normalize(values: Float32Array, speaker = ''): Float32Array {
    const n = this.normalization;
    if (n.mode === 'none') return values.slice();
    if (n.mode === 'global') return standardize(values, n.layout, n.stats!);
    let running = this.speakers.get(speaker);
    if (!running) {
      running = new RunningStats(n.layout, n.channels);
      this.speakers.set(speaker, running);
    }
    running.add(values);
    const stats = running.count >= (n.minUtterances ?? 10) ? running.stats() : n.stats!;
    return standardize(values, n.layout, stats);
  }

  /** Forgets every speaker's statistics. */
  reset(): void {
    this.speakers.clear();
  }
}
