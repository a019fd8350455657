// Shared helpers for tests that need the libtorch addon.
import { engineAvailable, engineUnavailableReason, ops, tidy } from '../../src/engine/index.js';
import type { BatchArray } from '../../src/data/batch.js';
import { argmaxClasses, fit, predictLogits, type LoopData } from '../../src/train/loop.js';
import type { EmotionModel, ModelInputs } from '../../src/models/zoo.js';
import type { InputTensor } from '../../src/infer/session.js';

/** Skip option for node:test: a reason string when the addon is not built, else false. */
export function engineSkip(): string | false {
  return engineAvailable()
    ? false
    : `libtorch addon not built (${engineUnavailableReason() ?? 'unknown'}): run npm run build:native`;
}

/** Engine tensors from plain input tensors. */
export function toEngine(inputs: Record<string, InputTensor>): ModelInputs {
  const out: ModelInputs = {};
  for (const [k, t] of Object.entries(inputs)) out[k] = ops.tensor(t.data, { shape: t.shape });
  return out;
}

/** Rows `idx` of every input (a mini-batch). */
export function take(inputs: Record<string, InputTensor>, idx: number[]): Record<string, InputTensor> {
  const out: Record<string, InputTensor> = {};
  for (const [k, t] of Object.entries(inputs)) {
    const row = t.data.length / t.shape[0];
    const Ctor = t.data.constructor as { new (n: number): typeof t.data };
    const data = new Ctor(idx.length * row);
    idx.forEach((r, i) =>
      (data as Float32Array).set((t.data as Float32Array).subarray(r * row, (r + 1) * row), i * row),
    );
    out[k] = { data, shape: [idx.length, ...t.shape.slice(1)] };
  }
  return out;
}

/** The rows `idx` of `inputs` as a training-loop data source labelled by `labels`. */
export function loopData(inputs: Record<string, InputTensor>, labels: Int32Array, idx: number[]): LoopData {
  return {
    size: idx.length,
    target: (i) => labels[idx[i]],
    batch: (rows) =>
      take(
        inputs,
        rows.map((r) => idx[r]),
      ) as Record<string, BatchArray>,
  };
}

/**
 * Trains with the library's training loop (Adam, shuffled mini-batches) on the first
 * `trainCount` examples; returns the eval-mode accuracy on the remaining (held-out) examples,
 * or on all when none are left.
 */
export function fitAndScore(
  model: EmotionModel,
  inputs: Record<string, InputTensor>,
  labels: Int32Array,
  epochs: number,
  trainCount = labels.length,
  lr = 0.01,
  batch = 32,
): number {
  const trainIdx = Array.from({ length: trainCount }, (_, i) => i);
  fit(model, loopData(inputs, labels, trainIdx), undefined, {
    epochs,
    batchSize: batch,
    classes: model.config.classes,
    optimizer: { kind: 'adam', lr },
    seed: 1,
  });
  const held = Array.from({ length: labels.length - trainCount }, (_, i) => trainCount + i);
  const scored = held.length > 0 ? held : trainIdx;
  const logits = predictLogits(model, loopData(inputs, labels, scored));
  const predicted = argmaxClasses(logits, model.config.classes);
  let correct = 0;
  scored.forEach((row, i) => (correct += predicted[i] === labels[row] ? 1 : 0));
  return correct / scored.length;
}

/** Forward in eval mode without gradients, as Float32Array logits. */
export function evalLogits(model: EmotionModel, inputs: Record<string, InputTensor>): Float32Array {
  model.eval();
  return tidy(() => (model.forward(toEngine(inputs))).toFloat32Array());
}
