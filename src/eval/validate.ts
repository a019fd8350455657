import { EmovoxParameterError } from '../util/errors.js';

/** Checks a label list: non-empty, unique, non-empty strings. */
export function checkLabels(labels: readonly string[], name = 'labels'): void {
  if (!Array.isArray(labels) || labels.length === 0) {
    throw new EmovoxParameterError(name, 'must be a non-empty array of class names');
  }
  const seen = new Set<string>();
  for (const label of labels) {
    if (typeof label !== 'string' || label.length === 0) {
      throw new EmovoxParameterError(
        name,
        `every class name must be a non-empty string, got ${JSON.stringify(label)}`,
      );
    }
    if (seen.has(label)) throw new EmovoxParameterError(name, `class name "${label}" appears twice`);
    seen.add(label);
  }
}

/** Checks class indices: integers in [0, classes). */
export function checkClassIndices(values: ArrayLike<number>, classes: number, name: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new EmovoxParameterError(
        name,
        `entry ${i} is ${v}; class indices must be integers in [0, ${classes})`,
      );
    }
  }
}

/** Checks that `values` has `n` entries and at least one. */
export function checkLength(values: ArrayLike<number>, n: number, name: string, what: string): void {
  if (values == null || typeof values.length !== 'number') {
    throw new EmovoxParameterError(name, 'must be an array of numbers');
  }
  if (values.length !== n)
    throw new EmovoxParameterError(name, `has ${values.length} entries, expected ${n} (${what})`);
}

/** Checks a class count: an integer >= 1. */
export function checkClassCount(classes: number, name = 'classes'): void {
  if (!Number.isInteger(classes) || classes < 1) {
    throw new EmovoxParameterError(name, `must be an integer >= 1, got ${classes}`);
  }
}

/**
 * Checks a row-major [n, classes] probability matrix: finite, in [0, 1], each row summing to 1
 * within 1e-3 (float32 softmax outputs sum to 1 within a few ulps; 1e-3 catches logits or
 * unnormalised scores passed by mistake).
 */
export function checkProbabilities(
  probabilities: Float32Array | Float64Array,
  n: number,
  classes: number,
  name = 'probabilities',
): void {
  if (!(probabilities instanceof Float32Array || probabilities instanceof Float64Array)) {
    throw new EmovoxParameterError(name, 'must be a Float32Array (row-major [n, classes])');
  }
  if (probabilities.length !== n * classes) {
    throw new EmovoxParameterError(
      name,
      `has ${probabilities.length} values, expected n * classes = ${n} * ${classes}`,
    );
  }
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let k = 0; k < classes; k++) {
      const p = probabilities[i * classes + k];
      if (!(p >= 0 && p <= 1)) {
        throw new EmovoxParameterError(
          name,
          `row ${i} holds ${p}; probabilities must be finite and in [0, 1]`,
        );
      }
      sum += p;
    }
    if (Math.abs(sum - 1) > 1e-3) {
      throw new EmovoxParameterError(
        name,
        `row ${i} sums to ${sum}, not 1 (pass softmax outputs, not logits)`,
      );
    }
  }
}

/** Checks a row-major [n, classes] logit matrix: finite values, n >= 1. */
export function checkLogits(
  logits: Float32Array | Float64Array,
  n: number,
  classes: number,
  name = 'logits',
): void {
  if (!(logits instanceof Float32Array || logits instanceof Float64Array)) {
    throw new EmovoxParameterError(name, 'must be a Float32Array (row-major [n, classes])');
  }
  if (logits.length !== n * classes) {
    throw new EmovoxParameterError(
      name,
      `has ${logits.length} values, expected n * classes = ${n} * ${classes}`,
    );
  }
  for (let i = 0; i < logits.length; i++) {
    if (!Number.isFinite(logits[i]))
      throw new EmovoxParameterError(name, `value ${i} is ${logits[i]}; logits must be finite`);
  }
}
