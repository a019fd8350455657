// Shared helpers for tests that need the libtorch addon.
import {
  engineAvailable,
  engineUnavailableReason,
  ops,
  tidy,
  Adam,
  type Tensor,
} from '../../src/engine/index.js';
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

/**
 * Trains with Adam on shuffled mini-batches of the first `trainCount` examples; returns the
 * eval-mode accuracy on the remaining (held-out) examples, or on all when none are left.
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
  const n = trainCount;
  const opt = new Adam(model.parameters(), { lr });
  let seed = 1;
  for (let e = 0; e < epochs; e++) {
    model.train();
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const j = seed % (i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let s = 0; s < n; s += batch) {
      const idx = order.slice(s, s + batch);
      if (idx.length < 2) continue;
      tidy(() => {
        const x = toEngine(take(inputs, idx));
        const y = ops.tensor(BigInt64Array.from(idx.map((i) => BigInt(labels[i]))), { shape: [idx.length] });
        const loss = ops.crossEntropy(model.forward(x), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
      });
    }
  }
  opt.dispose();
  model.eval();
  const held = Array.from({ length: labels.length - n }, (_, i) => n + i);
  const scored = held.length > 0 ? held : Array.from({ length: n }, (_, i) => i);
  const predicted = tidy(() =>
    model
      .forward(toEngine(take(inputs, scored)))
      .argmax(1)
      .toInt32Array(),
  );
  let correct = 0;
  scored.forEach((row, i) => (correct += predicted[i] === labels[row] ? 1 : 0));
  return correct / scored.length;
}

/** Forward in eval mode without gradients, as Float32Array logits. */
export function evalLogits(model: EmotionModel, inputs: Record<string, InputTensor>): Float32Array {
  model.eval();
  return tidy(() => (model.forward(toEngine(inputs)) as Tensor).toFloat32Array());
}
