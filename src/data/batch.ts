import { specAugment, type SpecAugmentOptions } from '../audio/index.js';
import { deriveSeed } from '../util/random.js';
import type { InputArray } from './arrays.js';

/** One model input of a batch: row-major values and shape. */
export interface BatchArray {
  data: Float32Array | Int32Array;
  shape: number[];
}

/** Where a batch's rows come from: the rows per input (already normalised as wanted). */
export type RowSource = (input: string, row: number) => Float32Array;

/** On-the-fly SpecAugment of `frames` and `image` inputs while training. */
export interface BatchAugment {
  options: Omit<SpecAugmentOptions, 'seed'>;
  /** Base seed; each (epoch, position) gets its own masks. */
  seed: number;
  epoch: number;
}

function maskedRow(
  row: Float32Array,
  array: InputArray,
  augment: BatchAugment,
  row_index: number,
): Float32Array {
  const seed = deriveSeed(augment.seed, row_index, augment.epoch);
  if (array.layout === 'frames') {
    const bins = array.channels;
    return specAugment({ data: row, frames: row.length / bins, bins }, { ...augment.options, seed }).data;
  }
  // image [1, h, w] row-major: time is the last axis; SpecAugment wants frames x bins.
  const h = array.shape[0] * array.shape[1];
  const w = row.length / h;
  const tm = new Float32Array(row.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) tm[x * h + y] = row[y * w + x];
  const masked = specAugment({ data: tm, frames: w, bins: h }, { ...augment.options, seed }).data;
  const out = new Float32Array(row.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = masked[x * h + y];
  return out;
}

/**
 * Gathers rows into one batch per input: vectors [b, dims], images [b, c, h, w], frame sequences
 * zero-padded to the longest in the batch [b, T, dims] plus `lengths` int32 [b] (one frames input
 * per model, as the zoo's models take).
 *
 * @param inputs - input name -> rows (for shapes).
 * @param rows - row indices of the batch, in order.
 * @param source - the (normalised) values of a row.
 * @param augment - SpecAugment for frames / image inputs (training only).
 */
export function assembleBatch(
  inputs: Record<string, InputArray>,
  rows: readonly number[],
  source: RowSource,
  augment?: BatchAugment,
): Record<string, BatchArray> {
  const out: Record<string, BatchArray> = {};
  for (const [name, array] of Object.entries(inputs)) {
    const values = rows.map((r) => {
      const v = source(name, r);
      return augment && array.layout !== 'vector' ? maskedRow(v, array, augment, r) : v;
    });
    if (array.layout === 'frames') {
      const dims = array.channels;
      const lengths = Int32Array.from(values, (v) => v.length / dims);
      const longest = Math.max(1, ...lengths);
      const data = new Float32Array(rows.length * longest * dims);
      values.forEach((v, i) => data.set(v, i * longest * dims));
      out[name] = { data, shape: [rows.length, longest, dims] };
      out.lengths = { data: lengths, shape: [rows.length] };
      continue;
    }
    const size = array.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(rows.length * size);
    values.forEach((v, i) => data.set(v, i * size));
    out[name] = { data, shape: [rows.length, ...array.shape] };
  }
  return out;
}
