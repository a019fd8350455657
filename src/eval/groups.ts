import { EmovoxParameterError } from '../util/errors.js';
import { numpyMean } from './sum.js';
import { checkLength } from './validate.js';

/** Accuracy of one group of examples (a speaker, a corpus, a gender). */
export interface GroupAccuracy {
  group: string;
  /** Number of examples in the group. */
  n: number;
  /** correct / n within the group. */
  accuracy: number;
  /** Mean per-class recall over the classes that occur in the group's truth (balanced accuracy). */
  ua: number;
  /** Number of distinct true classes in the group. */
  classes: number;
}

/** Compares strings with digit runs as numbers ("spk2" < "spk10"), then by code units. */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = BigInt(x);
      const ny = BigInt(y);
      if (nx !== ny) return nx < ny ? -1 : 1;
      if (x.length !== y.length) return x.length - y.length;
      continue;
    }
    return x < y ? -1 : 1;
  }
  if (pa.length !== pb.length) return pa.length - pb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Accuracy and UA per group (per speaker, per corpus), sorted by group name in natural order
 * (digit runs compared as numbers).
 *
 * @param truth true class index per example (non-negative integers)
 * @param predicted predicted class index per example, same length
 * @param groups group name per example, same length
 */
export function groupAccuracy(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  groups: readonly string[],
): GroupAccuracy[] {
  const n = truth?.length;
  if (typeof n !== 'number' || n < 1)
    throw new EmovoxParameterError('truth', 'must hold at least one class index');
  checkLength(predicted, n, 'predicted', 'one prediction per true label');
  if (!Array.isArray(groups) || groups.length !== n) {
    throw new EmovoxParameterError('groups', `must be an array of ${n} group names (one per example)`);
  }
  const byGroup = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const t = truth[i];
    const p = predicted[i];
    if (!Number.isInteger(t) || t < 0)
      throw new EmovoxParameterError('truth', `entry ${i} is ${t}; class indices must be integers >= 0`);
    if (!Number.isInteger(p) || p < 0)
      throw new EmovoxParameterError('predicted', `entry ${i} is ${p}; class indices must be integers >= 0`);
    const g = groups[i];
    if (typeof g !== 'string') throw new EmovoxParameterError('groups', `entry ${i} is not a string`);
    let members = byGroup.get(g);
    if (!members) byGroup.set(g, (members = []));
    members.push(i);
  }
  return [...byGroup.keys()].sort(naturalCompare).map((group) => {
    const members = byGroup.get(group) as number[];
    const support = new Map<number, number>();
    const hits = new Map<number, number>();
    let correct = 0;
    for (const i of members) {
      const t = truth[i];
      support.set(t, (support.get(t) ?? 0) + 1);
      if (predicted[i] === t) {
        correct++;
        hits.set(t, (hits.get(t) ?? 0) + 1);
      }
    }
    const classes = [...support.keys()].sort((a, b) => a - b);
    return {
      group,
      n: members.length,
      accuracy: correct / members.length,
      ua: numpyMean(classes.map((c) => (hits.get(c) ?? 0) / (support.get(c) as number))),
      classes: classes.length,
    };
  });
}
