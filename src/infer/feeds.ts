// Checks a model's named inputs before they go to onnxruntime (Node or web): every expected
// input present, shapes that match the values, finite floats, frame lengths in range. Pure.
import { EmovoxInputError } from '../util/errors.js';

/** One input tensor: values in row-major order and the shape. */
export interface InputTensor {
  data: Float32Array | Int32Array | BigInt64Array;
  shape: number[];
}

/** onnxruntime's element type of each typed array an input may hold. */
export type FeedType = 'float32' | 'int32' | 'int64';

/** A checked input: its name, onnxruntime element type, values and shape. */
export interface CheckedFeed extends InputTensor {
  name: string;
  dtype: FeedType;
}

/**
 * Checks the inputs a model run gets.
 * @param inputNames - the model's input names, in its order.
 * @param inputs - tensors by name (extra names are ignored).
 * @returns the model's inputs in its order, with their onnxruntime element types.
 * @throws EmovoxInputError('inference', problem) for a missing input, values that do not fill
 *   the shape, a non-finite float, an unsupported array type, or `lengths` outside [1, frames].
 */
export function checkFeeds(
  inputNames: readonly string[],
  inputs: Record<string, InputTensor>,
): CheckedFeed[] {
  const out: CheckedFeed[] = [];
  for (const name of inputNames) {
    const t = inputs[name];
    if (!t)
      throw new EmovoxInputError('inference', `missing input '${name}' (expects ${inputNames.join(', ')})`);
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (t.shape.some((d) => !Number.isInteger(d) || d < 1) || size !== t.data.length) {
      throw new EmovoxInputError(
        'inference',
        `input '${name}' has ${t.data.length} values for shape [${t.shape}]`,
      );
    }
    let dtype: FeedType;
    if (t.data instanceof Float32Array) {
      dtype = 'float32';
      for (let i = 0; i < t.data.length; i++) {
        if (!Number.isFinite(t.data[i]))
          throw new EmovoxInputError('inference', `input '${name}' has a non-finite value at ${i}`);
      }
    } else if (t.data instanceof Int32Array) dtype = 'int32';
    else if (t.data instanceof BigInt64Array) dtype = 'int64';
    else
      throw new EmovoxInputError(
        'inference',
        `input '${name}' must be a Float32Array, Int32Array or BigInt64Array`,
      );
    out.push({ name, dtype, data: t.data, shape: t.shape });
  }
  const lengths = inputs.lengths?.data;
  const frames = inputs.frames?.shape[1];
  if (lengths && frames !== undefined) {
    for (const len of lengths) {
      if (!(Number(len) >= 1 && Number(len) <= frames)) {
        throw new EmovoxInputError(
          'inference',
          `lengths must lie in [1, ${frames}] (the frame count), got ${len}`,
        );
      }
    }
  }
  return out;
}
