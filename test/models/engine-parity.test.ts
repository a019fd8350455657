import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensorCount, manualSeed } from '../../src/engine/index.js';
import { buildModel } from '../../src/models/zoo.js';
import { parameterSpecs, modelInputs } from '../../src/models/plan.js';
import { exportOnnx } from '../../src/models/onnx/export.js';
import { EmotionSession, type InputTensor } from '../../src/infer/session.js';
import { SeededRandom } from '../../src/models/weights.js';
import { summary, countParameters } from '../../src/models/summary.js';
import { loadGolden, maxAbsDiff } from './golden.js';
import { engineSkip, evalLogits, fitAndScore } from './engine-helpers.js';
import { tasks } from './synthetic.js';
import type { ModelConfig } from '../../src/models/config.js';

const skip = engineSkip();

test('cnn1d on a 180-dim vector with 7 classes has 46,791 trainable parameters', () => {
  const config: ModelConfig = { kind: 'cnn1d', inputDim: 180, classes: 7 };
  assert.deepEqual(countParameters(config), { total: 47175, trainable: 46791, nonTrainable: 384 });
  const text = summary(config);
  assert.match(text, /Trainable params: 46,791/);
  assert.match(text, /convs\.1 \(Conv1d\(128→64, k=5\)\)\s+\(None, 64, 90\)\s+41,024/);
});

for (const golden of loadGolden()) {
  test(`engine layers reproduce PyTorch with the same weights: ${golden.name}`, { skip }, () => {
    const model = buildModel(golden.config, golden.weights);
    assert.equal(model.parameterCount(), countParameters(golden.config).trainable);
    assert.match(
      summary(model),
      new RegExp(`Trainable params: ${model.parameterCount().toLocaleString('en-US')}\n`),
    );
    const names = [...model.namedParameters(), ...model.namedBuffers()].map(([n]) => n).sort();
    assert.deepEqual(
      names,
      parameterSpecs(golden.config)
        .map((s) => s.name)
        .sort(),
    );
    const diff = maxAbsDiff(evalLogits(model, golden.inputs), golden.logits);
    model.dispose();
    assert.ok(diff < 1e-4, `${golden.name}: max |engine - PyTorch| = ${diff}`);
  });
}

const PRESENCE = [1, 1, 1, 0, 0, 1];

function randomInputs(config: ModelConfig, batch: number, rng: SeededRandom): Record<string, InputTensor> {
  const out: Record<string, InputTensor> = {};
  for (const input of modelInputs(config)) {
    const shape = input.shape.map((d) => (d === 'batch' ? batch : typeof d === 'string' ? 9 : d));
    const size = shape.reduce((a, b) => a * b, 1);
    if (input.name === 'presence')
      // A mask, not a signal: rows cycle through both / audio only / text only (a random value
      // here would make late fusion divide by a weight sum near zero).
      out[input.name] = { data: Float32Array.from({ length: size }, (_, i) => PRESENCE[i % 6]), shape };
    else if (input.elem === 'float32')
      out[input.name] = { data: Float32Array.from({ length: size }, () => rng.normal()), shape };
    else if (input.elem === 'int32')
      out[input.name] = { data: Int32Array.from({ length: size }, (_, i) => 9 - ((i * 3) % 8)), shape };
    else
      out[input.name] = { data: BigInt64Array.from({ length: size }, (_, i) => BigInt((i * 7) % 5)), shape };
  }
  return out;
}

for (const [kind, task] of Object.entries(tasks())) {
  test(`ONNX (onnxruntime) matches the engine after training: ${kind}`, { skip }, async () => {
    manualSeed(1);
    const model = buildModel(task.config);
    fitAndScore(model, task.inputs, task.labels, 2);
    const inputs = randomInputs(task.config, 5, new SeededRandom(3));
    const expected = evalLogits(model, inputs);
    const session = await EmotionSession.load(exportOnnx(task.config, model.stateDict()));
    const diff = maxAbsDiff((await session.run(inputs)).logits, expected);
    await session.release();
    model.dispose();
    assert.ok(diff < 1e-4, `${kind}: max |ORT - engine| = ${diff}`);
  });
}

test('training, export and dispose leave no tensors behind', { skip }, () => {
  const task = tasks().hybrid;
  const before = liveTensorCount();
  const model = buildModel(task.config);
  fitAndScore(model, task.inputs, task.labels, 1, task.trainCount);
  exportOnnx(task.config, model.stateDict());
  model.dispose();
  assert.equal(liveTensorCount(), before);
});
