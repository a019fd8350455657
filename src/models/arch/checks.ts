// Validation helpers for model configurations, shared by every kind's `resolve`.
import { EmovoxInputError } from '../../util/errors.js';

/** `source` of every configuration error. */
export const CONFIG_SOURCE = 'model config';

/**
 * An integer in [1, max].
 * @throws EmovoxInputError('model config', problem) otherwise.
 */
export function positiveInt(value: unknown, field: string, max = 1 << 20): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new EmovoxInputError(
      CONFIG_SOURCE,
      `${field} must be an integer in [1, ${max}], got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** A non-empty list of at most 16 integers in [1, 8192] (layer widths, channel counts). */
export function intList(value: unknown, field: string): number[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 16) {
    throw new EmovoxInputError(CONFIG_SOURCE, `${field} must be a non-empty list of at most 16 integers`);
  }
  return value.map((v, i) => positiveInt(v, `${field}[${i}]`, 8192));
}

/** A probability in [0, 1) (dropout). */
export function probability(value: unknown, field: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new EmovoxInputError(
      CONFIG_SOURCE,
      `${field} must be a number in [0, 1), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** An image shape [channels, height, width] of positive integers. */
export function shape3(value: unknown, field: string): [number, number, number] {
  const list = intList(value, field);
  if (list.length !== 3)
    throw new EmovoxInputError(CONFIG_SOURCE, `${field} must be [channels, height, width]`);
  return [list[0], list[1], list[2]];
}

/** `classes`: required, an integer in [1, 100000]. */
export function classes(raw: Record<string, unknown>): number {
  return positiveInt(raw.classes, 'classes', 100000);
}

/** `dropout`: a probability, default 0.3. */
export function dropout(raw: Record<string, unknown>): number {
  return probability(raw.dropout ?? 0.3, 'dropout');
}

/** Size after `blocks` max-pools of size `pool` (floor), as PyTorch's MaxPool does. */
export function pooledSize(size: number, blocks: number, pool = 2): number {
  let s = size;
  for (let i = 0; i < blocks; i++) s = Math.floor(s / pool);
  return s;
}

/** Throws unless a `length`-long vector survives `blocks` max-pools of size `pool`. */
export function requirePoolable(length: number, blocks: number, pool: number, field: string): void {
  if (pooledSize(length, blocks, pool) < 1) {
    throw new EmovoxInputError(CONFIG_SOURCE, `${field} ${length} is too short for ${blocks} pools`);
  }
}

/** Throws unless an image of `shape` survives `blocks` 2x2 max-pools. */
export function requireImage(shape: [number, number, number], blocks: number, field: string): void {
  if (pooledSize(shape[1], blocks) < 1 || pooledSize(shape[2], blocks) < 1) {
    throw new EmovoxInputError(
      CONFIG_SOURCE,
      `${field} ${shape.join('x')} is too small for ${blocks} pooling blocks`,
    );
  }
}

/** Throws `EmovoxInputError('model config', problem)`: for kind-specific rules. */
export function configError(problem: string): never {
  throw new EmovoxInputError(CONFIG_SOURCE, problem);
}
