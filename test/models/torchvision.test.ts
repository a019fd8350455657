// The image kinds at torchvision's real layout: torchvision builds resnet18, vgg16 and
// efficientnet_b0 with seeded random weights (reference/torchvision_weights.py, written to a
// temporary folder at test time: vgg16 alone is 553 MB), emovox reads the state_dicts from
// safetensors and must reproduce torchvision's logits on the engine and in onnxruntime, also as a
// 1-channel model whose first convolution is adapted from the 3-channel weights.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel } from '../../src/models/zoo.js';
import { exportOnnx } from '../../src/models/onnx/export.js';
import { readSafetensors } from '../../src/models/safetensors.js';
import { pretrainedWeights } from '../../src/models/pretrained.js';
import type { ModelConfig } from '../../src/models/config.js';
import type { WeightMap } from '../../src/models/weights.js';
import { EmotionSession } from '../../src/infer/session.js';
import { engineSkip, evalLogits } from './engine-helpers.js';
import { maxAbsDiff } from './golden.js';
import { repoRoot } from '../helpers/data.js';

const PYTHON = '/usr/bin/python3';

function torchvisionSkip(): string | false {
  const r = spawnSync(PYTHON, ['-c', 'import torchvision'], { encoding: 'utf8' });
  return r.status === 0
    ? false
    : 'torchvision parity skipped: /usr/bin/python3 cannot import torchvision (apt-get install python3-torchvision)';
}

const skip = torchvisionSkip() || engineSkip();

interface Case {
  rgb: string;
  grey: string;
  logitsRgb: string;
  logitsGrey: string;
  parameters: number;
}

const floats = (b64: string) => {
  const b = Buffer.from(b64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

const KINDS: Record<string, (channels: number, classes: number) => ModelConfig> = {
  resnet18: (channels, classes) => ({ kind: 'resnet', depth: 18, inputShape: [channels, 64, 64], classes }),
  vgg16: (channels, classes) => ({ kind: 'vgg16', inputShape: [channels, 64, 64], classes }),
  efficientnet_b0: (channels, classes) => ({
    kind: 'efficientnetB0',
    inputShape: [channels, 64, 64],
    classes,
  }),
};

describe('torchvision backbones at their real layout', { skip }, () => {
  let dir = '';
  let cases: Record<string, Case> = {};
  const files = new Map<string, WeightMap>();
  // Each file is read once (vgg16's 553 MB would otherwise dominate the run time).
  const read = (name: string): WeightMap => {
    let w = files.get(name);
    if (!w) {
      w = readSafetensors(join(dir, `${name}.safetensors`)).tensors;
      files.set(name, w);
    }
    return w;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'emovox-torchvision-'));
    const r = spawnSync(PYTHON, [join(repoRoot, 'reference', 'torchvision_weights.py'), dir], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    cases = (JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as { cases: Record<string, Case> })
      .cases;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, configOf] of Object.entries(KINDS)) {
    test(`${name}: engine and onnxruntime equal torchvision on its own weights`, async () => {
      const c = cases[name];
      const config = configOf(3, 1000);
      // The file's own names minus torchvision's num_batches_tracked counters.
      const weights = pretrainedWeights(config, read(name)).weights;
      const model = buildModel(config, weights);
      assert.equal(model.parameterCount(), c.parameters);
      const input = { spectrogram: { data: floats(c.rgb), shape: [2, 3, 64, 64] } };
      const expected = floats(c.logitsRgb);
      const engine = maxAbsDiff(evalLogits(model, input), expected);
      model.dispose();
      assert.ok(engine < 1e-4, `${name}: max |engine - torchvision| = ${engine}`);
      const session = await EmotionSession.load(exportOnnx(config, weights));
      const ort = maxAbsDiff((await session.run(input)).logits, expected);
      await session.release();
      assert.ok(ort < 1e-4, `${name}: max |onnxruntime - torchvision| = ${ort}`);
    });

    test(`${name}: 1-channel model from the 3-channel weights equals torchvision on the repeated image`, async () => {
      const c = cases[name];
      const file = join(dir, `${name}.safetensors`);
      const config = { ...configOf(1, 1000), pretrained: file } as ModelConfig;
      const p = pretrainedWeights(config, read(name));
      assert.equal(p.adapted.length, 1);
      assert.deepEqual(p.reinitialised, []);
      const model = buildModel(config);
      const input = { spectrogram: { data: floats(c.grey), shape: [2, 1, 64, 64] } };
      const diff = maxAbsDiff(evalLogits(model, input), floats(c.logitsGrey));
      model.dispose();
      assert.ok(diff < 1e-4, `${name}: max |engine - torchvision| = ${diff}`);
    });

    test(`${name}: another class count keeps every weight but the head`, () => {
      const source = read(name);
      const p = pretrainedWeights(configOf(1, 5), source);
      assert.equal(p.reinitialised.length, 2, `head weight and bias: ${p.reinitialised.join(', ')}`);
      assert.match(p.reinitialised[0], /^(fc|classifier\.6|classifier\.1)\.weight$/);
      for (const n of p.reinitialised) assert.equal(p.weights.has(n), false);
      for (const n of p.loaded) assert.equal(p.weights.get(n), source.get(n), n);
      assert.equal(p.loaded.length + p.adapted.length + p.reinitialised.length, p.weights.size + 2);
      files.delete(name); // last use: free it before the next backbone
    });
  }
});
