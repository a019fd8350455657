// The benchmarks time synchronous feature sets only: an encoder set's promise would be timed
// unresolved, so it is refused here rather than dropped on the floor.
import { featureFunction, type FeatureSpec } from '../src/features/sets.js';
import type { FeatureValue } from '../src/features/value.js';

/** `featureFunction(spec)` for a set that computes synchronously; throws on the first promise. */
export function syncFeatureFunction(
  spec: FeatureSpec,
): (y: Float32Array, sampleRate: number) => FeatureValue {
  const fn = featureFunction(spec);
  return (y, sampleRate) => {
    const value = fn(y, sampleRate);
    if (value instanceof Promise)
      throw new Error(`${spec.name} is asynchronous; the benchmark times synchronous sets`);
    return value;
  };
}
