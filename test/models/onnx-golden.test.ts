import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportOnnx } from '../../src/models/onnx/export.js';
import { EmotionSession } from '../../src/infer/session.js';
import { loadGolden, maxAbsDiff } from './golden.js';

// PyTorch (reference/model_golden.py) vs onnxruntime on the exported graph, same weights:
// tests ONNX export of every model kind without libtorch, with BatchNorm folded into the
// convolutions (default) and as BatchNormalization nodes.
for (const golden of loadGolden()) {
  for (const foldBatchNorm of [true, false]) {
    test(`ONNX export matches PyTorch: ${golden.name}${foldBatchNorm ? '' : ' (BatchNormalization nodes)'}`, async () => {
      const bytes = exportOnnx(golden.config, golden.weights, { foldBatchNorm });
      const hasBn = Buffer.from(bytes).includes('BatchNormalization');
      assert.equal(
        hasBn,
        !foldBatchNorm && [...golden.weights.keys()].some((n) => n.endsWith('.running_mean')),
      );
      const session = await EmotionSession.load(bytes);
      const out = await session.run(golden.inputs);
      const diff = maxAbsDiff(out.logits, golden.logits);
      assert.ok(diff < 1e-4, `${golden.name}: max |ORT - PyTorch| = ${diff}`);
      await session.release();
    });
  }
}
