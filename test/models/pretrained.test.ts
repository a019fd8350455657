// safetensors reading/writing, pretrained-weight matching and parameter freezing, on small
// models (the real torchvision layouts are in torchvision.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, manualSeed, ops } from '../../src/engine/index.js';
import { buildModel } from '../../src/models/zoo.js';
import { resolveConfig, type ModelConfig } from '../../src/models/config.js';
import { countParameters } from '../../src/models/summary.js';
import { initWeights, type WeightMap } from '../../src/models/weights.js';
import { encodeSafetensors, parseSafetensors } from '../../src/models/safetensors.js';
import { adaptInputConv, pretrainedWeights } from '../../src/models/pretrained.js';
import { EmovoxInputError } from '../../src/util/errors.js';
import { engineSkip } from './engine-helpers.js';

const skip = engineSkip();

/** safetensors bytes from a header object and a data blob, as another writer would lay them out. */
function rawFile(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

test('safetensors: what encodeSafetensors writes parses back, header 8-byte aligned', () => {
  const weights: WeightMap = new Map([
    ['b.weight', { shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, -6.5) }],
    ['a', { shape: [], data: Float32Array.of(7) }],
  ]);
  const bytes = encodeSafetensors(weights, { format: 'pt' });
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + headerLength) % 8, 0);
  const back = parseSafetensors(bytes);
  assert.deepEqual(back.metadata, { format: 'pt' });
  assert.deepEqual([...back.tensors.keys()], ['a', 'b.weight']);
  assert.deepEqual(back.tensors.get('b.weight'), weights.get('b.weight'));
  assert.deepEqual(back.tensors.get('a'), weights.get('a'));
});

test('safetensors: F16, BF16, F64 and I64 tensors become float32', () => {
  const data = new Uint8Array(2 * 3 + 2 * 2 + 8 + 8);
  const v = new DataView(data.buffer);
  [0x3c00, 0xc000, 0x0001].forEach((h, i) => v.setUint16(i * 2, h, true)); // 1, -2, smallest subnormal
  [0x3fc0, 0xbf80].forEach((h, i) => v.setUint16(6 + i * 2, h, true)); // bf16 1.5, -1
  v.setFloat64(10, Math.PI, true);
  v.setBigInt64(18, -42n, true);
  const file = rawFile(
    {
      h: { dtype: 'F16', shape: [3], data_offsets: [0, 6] },
      bf: { dtype: 'BF16', shape: [2], data_offsets: [6, 10] },
      d: { dtype: 'F64', shape: [1], data_offsets: [10, 18] },
      n: { dtype: 'I64', shape: [1], data_offsets: [18, 26] },
    },
    data,
  );
  const t = parseSafetensors(file).tensors;
  assert.deepEqual([...t.get('h')!.data], [1, -2, Math.fround(2 ** -24)]);
  assert.deepEqual([...t.get('bf')!.data], [1.5, -1]);
  assert.equal(t.get('d')!.data[0], Math.fround(Math.PI));
  assert.equal(t.get('n')!.data[0], -42);
});

test('safetensors: truncated or inconsistent files throw EmovoxInputError', () => {
  const good = encodeSafetensors(new Map([['w', { shape: [4], data: new Float32Array(4) }]]));
  for (const bad of [
    good.subarray(0, 5),
    good.subarray(0, good.length - 1),
    rawFile({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 12] } }, new Uint8Array(16)),
    rawFile({ w: { dtype: 'Q4', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(16)),
  ]) {
    assert.throws(
      () => parseSafetensors(bad, 'x.safetensors'),
      (e: unknown) => e instanceof EmovoxInputError && /x\.safetensors/.test(String(e)),
    );
  }
});

test('adaptInputConv: 1 channel sums, more channels repeat scaled', () => {
  const w = { shape: [1, 3, 1, 1], data: Float32Array.of(1, 2, 4) };
  assert.deepEqual([...adaptInputConv(w, 1).data], [7]);
  const two = adaptInputConv(w, 2);
  assert.deepEqual(two.shape, [1, 2, 1, 1]);
  assert.deepEqual([...two.data], [1.5, 3]);
});

test('pretrainedWeights: another architecture is refused with the mismatching names', () => {
  const deep: ModelConfig = { kind: 'resnet', depth: 34, width: 4, inputShape: [1, 32, 32], classes: 3 };
  const file = initWeights(deep, 1);
  assert.throws(
    () => pretrainedWeights({ ...deep, depth: 18 }, file),
    /weights do not fit the resnet configuration: layer1\.2\.conv1\.weight is not in a resnet model/,
  );
  const wide = initWeights({ ...deep, depth: 18, width: 8 }, 1);
  assert.throws(
    () => pretrainedWeights({ ...deep, depth: 18 }, wide),
    /bn1\.weight has shape \[8\], the model \[4\]/,
  );
});

test('freeze patterns must match a parameter, and mark the plan non-trainable', () => {
  const config: ModelConfig = { kind: 'resnet', width: 4, inputShape: [1, 16, 16], classes: 3 };
  assert.throws(
    () => resolveConfig({ ...config, freeze: ['layer9.*'] }),
    /freeze pattern "layer9\.\*" matches no parameter/,
  );
  const all = countParameters(config);
  const frozen = countParameters({ ...config, freeze: ['conv1.*', 'bn1.*', 'layer1.*'] });
  assert.equal(frozen.total, all.total);
  assert.equal(all.trainable - frozen.trainable, 4 * 49 + 8 + 4 * (4 * 4 * 9 + 8));
});

test('frozen parameters leave parameters() and keep their values through training', { skip }, () => {
  manualSeed(0);
  const config = {
    kind: 'resnet',
    width: 4,
    inputShape: [1, 16, 16],
    classes: 3,
    freeze: ['conv1.*', 'bn1.*', 'layer1.*'],
  } as ModelConfig;
  const model = buildModel(config);
  const trainable = model.parameters().reduce((n, t) => n + t.numel, 0);
  assert.equal(trainable, countParameters(config).trainable);
  const before = model.stateDict();
  const opt = new Adam(model.parameters(), { lr: 0.01 });
  const x = ops.randn([4, 1, 16, 16]);
  const loss = ops.crossEntropy(
    model.forward({ spectrogram: x }),
    ops.tensor(BigInt64Array.of(0n, 1n, 2n, 0n), { shape: [4] }),
  );
  loss.backward();
  opt.step();
  const after = model.stateDict();
  for (const name of ['conv1.weight', 'bn1.weight', 'layer1.0.conv2.weight'])
    assert.deepEqual(after.get(name)!.data, before.get(name)!.data, name);
  for (const name of ['layer2.0.conv1.weight', 'fc.weight'])
    assert.notDeepEqual(after.get(name)!.data, before.get(name)!.data, name);
  opt.dispose();
  model.dispose();
  x.dispose();
  loss.dispose();
});
