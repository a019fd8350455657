import { CANONICAL_LABELS, mapLabels, type CorpusItem, type LabelMapOptions } from '../corpora/index.js';
import { EmovoxInputError } from '../util/errors.js';

/** A recipe's label handling: merges, then the class list to keep, then labels to drop. */
export interface LabelSpec {
  /** `{ target: [labels...] }`: each listed label becomes `target` (default none). */
  merge?: Record<string, readonly string[]>;
  /** The classes to train on, after merging (default: every label present in the data). */
  keep?: readonly string[] | null;
  /** Labels removed after merging (default none). */
  drop?: readonly string[];
}

/** Items with labels mapped, and the class list in output order. */
export interface EncodedLabels<T extends CorpusItem> {
  /** The kept items, labels merged (input order). */
  items: T[];
  /** Class names in model output order: canonical-taxonomy order, then other labels alphabetically. */
  classes: string[];
  /** Class index of each kept item. */
  targets: Int32Array;
}

const canonicalRank = new Map<string, number>(CANONICAL_LABELS.map((l, i) => [l, i]));

/** Sorts labels the way emovox orders classes: canonical taxonomy order first, then A-Z. */
export function sortClasses(labels: Iterable<string>): string[] {
  return [...new Set(labels)].sort((a, b) => {
    const ra = canonicalRank.get(a) ?? Infinity;
    const rb = canonicalRank.get(b) ?? Infinity;
    return ra !== rb ? ra - rb : a < b ? -1 : a > b ? 1 : 0;
  });
}

/**
 * Applies a recipe's label spec and encodes the classes.
 *
 * @param items - loaded corpus items (canonical labels).
 * @param spec - merges, class list, drops.
 * @param source - name used in errors (the recipe key, e.g. `data.labels`).
 * @throws EmovoxInputError(source, problem) when a class in `keep` has no items (saying when a
 *   merge emptied it), when fewer than two classes remain, or when a label is merged twice.
 */
export function encodeLabels<T extends CorpusItem>(
  items: readonly T[],
  spec: LabelSpec = {},
  source = 'labels',
): EncodedLabels<T> {
  const options: LabelMapOptions = { merge: spec.merge, drop: spec.drop };
  if (spec.keep) options.keep = spec.keep;
  let mapped: T[];
  try {
    mapped = mapLabels(items, options);
  } catch (error) {
    if (error instanceof EmovoxInputError) throw new EmovoxInputError(source, error.problem);
    throw error;
  }
  const present = new Set(mapped.map((i) => i.label));
  if (spec.keep) {
    const mergedInto = new Map<string, string>();
    for (const [to, froms] of Object.entries(spec.merge ?? {}))
      for (const from of froms) if (from !== to) mergedInto.set(from, to);
    for (const label of spec.keep) {
      if (present.has(label)) continue;
      const target = mergedInto.get(label);
      throw new EmovoxInputError(
        source,
        target !== undefined
          ? `class "${label}" is empty: the merge into "${target}" took all its items`
          : `class "${label}" has no items in the corpora (labels present: ${sortClasses(
              items.map((i) => i.label),
            ).join(', ')})`,
      );
    }
  }
  const classes = sortClasses(spec.keep ?? present);
  if (classes.length < 2) {
    throw new EmovoxInputError(
      source,
      `needs at least 2 classes, got ${classes.length} (${classes.join(', ')})`,
    );
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  return { items: mapped, classes, targets: Int32Array.from(mapped, (i) => index.get(i.label)!) };
}
