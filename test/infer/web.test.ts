import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ortWeb from 'onnxruntime-web';
import { exportOnnx } from '../../src/models/onnx/export.js';
import { loadGolden, maxAbsDiff } from '../models/golden.js';

// The same ONNX bytes must run in the browser runtime: onnxruntime-web's wasm backend runs under
// Node too, so every golden model is checked against PyTorch's logits here.
ortWeb.env.wasm.numThreads = 1;

for (const golden of loadGolden()) {
  test(`onnxruntime-web (wasm) runs the exported ${golden.name} model`, async () => {
    const session = await ortWeb.InferenceSession.create(exportOnnx(golden.config, golden.weights), {
      executionProviders: ['wasm'],
    });
    const feeds: Record<string, ortWeb.Tensor> = {};
    for (const [name, t] of Object.entries(golden.inputs)) feeds[name] = new ortWeb.Tensor(t.data, t.shape);
    const out = await session.run(feeds);
    const diff = maxAbsDiff(out.logits.data as Float32Array, golden.logits);
    assert.ok(diff < 1e-4, `${golden.name}: max |web - PyTorch| = ${diff}`);
    await session.release();
  });
}
