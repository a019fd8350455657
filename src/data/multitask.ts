// Targets of multi-label + regression tasks (CMU-MOSEI: which of six emotions are present, and the
// sentiment score), from loaded corpus items.
import { MOSEI_EMOTIONS } from '../corpora/loaders/mosei.js';
import type { CorpusItem } from '../corpora/types.js';
import { EmovoxInputError, EmovoxParameterError } from '../util/errors.js';

/** Multi-label presence and regression targets of n items. */
export interface MultitaskTargets {
  /** Label names in column order (MOSEI: happy, sad, anger, surprise, disgust, fear). */
  labels: string[];
  /** Row-major [n, labels] 0/1: label present (intensity above the threshold). */
  presence: Float32Array;
  /** [n] regression target (MOSEI sentiment in [-3, 3]); NaN where the item has none. */
  sentiment: Float32Array;
}

/**
 * MOSEI targets from items of the `cmu-mosei` loader: an emotion is present when its intensity
 * (`meta.intensities`, 0-3) exceeds `threshold` (default 0, the usual MOSEI convention: any
 * annotator saw it); sentiment from `meta.sentiment` (NaN when the labels CSV has none).
 * @throws EmovoxInputError(item id, problem) for an item without an intensity vector.
 */
export function moseiTargets(items: readonly CorpusItem[], threshold = 0): MultitaskTargets {
  if (!(threshold >= 0 && threshold < 3))
    throw new EmovoxParameterError('threshold', `must be in [0, 3), got ${threshold}`);
  const labels = [...MOSEI_EMOTIONS];
  const presence = new Float32Array(items.length * labels.length);
  const sentiment = new Float32Array(items.length).fill(Number.NaN);
  items.forEach((item, i) => {
    const intensities = item.meta?.intensities as Record<string, number> | undefined;
    if (!intensities) throw new EmovoxInputError(item.id, 'no meta.intensities: not a CMU-MOSEI item');
    labels.forEach((label, k) => (presence[i * labels.length + k] = intensities[label] > threshold ? 1 : 0));
    const s = item.meta?.sentiment;
    if (typeof s === 'number') sentiment[i] = s;
  });
  return { labels, presence, sentiment };
}
