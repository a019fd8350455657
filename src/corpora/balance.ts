import { EmovoxInputError } from '../util/errors.js';
import { mulberry32, shuffled } from '../util/random.js';

/** Items grouped by label, labels sorted, order within a label preserved. */
function byLabel<T extends { label: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const label of [...new Set(items.map((i) => i.label))].sort()) groups.set(label, []);
  for (const item of items) groups.get(item.label)!.push(item);
  return groups;
}

/**
 * Class weights by scikit-learn's 'balanced' formula: `n_samples / (n_classes * count[label])`.
 *
 * @param items labelled items
 * @returns weight per label (a label with half the average count weighs 2)
 */
export function classWeights<T extends { label: string }>(items: readonly T[]): Record<string, number> {
  const groups = byLabel(items);
  const weights: Record<string, number> = {};
  for (const [label, members] of groups) weights[label] = items.length / (groups.size * members.length);
  return weights;
}

/** Options of `oversample` / `undersample`. */
export interface BalanceOptions {
  /** PRNG seed (default 0). */
  seed?: number;
  /** Items per label after resampling (default: the largest count for oversample, smallest for undersample). */
  perLabel?: number;
}

/**
 * Random over-sampling: every label is topped up to `perLabel` items (default: the largest
 * label's count) by drawing its items again at random with replacement. Originals come first,
 * then the drawn copies (same object references), label by label.
 *
 * @throws EmovoxInputError when `perLabel` is below a label's count (use `undersample`)
 */
export function oversample<T extends { label: string }>(
  items: readonly T[],
  options: BalanceOptions = {},
): T[] {
  const groups = byLabel(items);
  const target = options.perLabel ?? Math.max(0, ...[...groups.values()].map((g) => g.length));
  const random = mulberry32(options.seed ?? 0);
  const extra: T[] = [];
  for (const [label, members] of groups) {
    if (members.length > target) {
      throw new EmovoxInputError(
        'oversample',
        `label ${label} has ${members.length} items, more than perLabel ${target}`,
      );
    }
    for (let i = members.length; i < target; i++)
      extra.push(members[Math.floor(random.next() * members.length)]);
  }
  return [...items, ...extra];
}

/**
 * Random under-sampling: every label keeps a random `perLabel` of its items (default: the
 * smallest label's count), in their original order.
 *
 * @throws EmovoxInputError when `perLabel` exceeds a label's count (use `oversample`)
 */
export function undersample<T extends { label: string }>(
  items: readonly T[],
  options: BalanceOptions = {},
): T[] {
  const groups = byLabel(items);
  const target = options.perLabel ?? Math.min(...[...groups.values()].map((g) => g.length));
  const random = mulberry32(options.seed ?? 0);
  const keep = new Set<T>();
  for (const [label, members] of groups) {
    if (members.length < target) {
      throw new EmovoxInputError(
        'undersample',
        `label ${label} has ${members.length} items, fewer than perLabel ${target}`,
      );
    }
    for (const item of shuffled(members, random).slice(0, target)) keep.add(item);
  }
  return items.filter((item) => keep.has(item));
}
