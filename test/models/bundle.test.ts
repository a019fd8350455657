import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle, saveBundle } from '../../src/models/bundle.js';
import { initWeights, checkWeights } from '../../src/models/weights.js';
import { resolveConfig } from '../../src/models/config.js';
import { EmovoxInputError } from '../../src/util/errors.js';

const config = { kind: 'cnn1d' as const, inputDim: 20, classes: 3, channels: [4, 2], dense: 5 };

test('bundles round-trip config, labels, metadata and exact weights (directory and single file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-bundle-'));
  try {
    const weights = initWeights(config, 7);
    for (const path of [join(dir, 'b'), join(dir, 'one.emovox')]) {
      saveBundle(path, { config, weights, labels: ['a', 'b', 'c'], metadata: { corpus: 'ravdess' } });
      const back = loadBundle(path);
      assert.deepEqual(back.config, resolveConfig(config));
      assert.deepEqual(back.labels, ['a', 'b', 'c']);
      assert.deepEqual(back.metadata, { corpus: 'ravdess' });
      assert.equal(back.weights.size, weights.size);
      for (const [name, t] of weights) {
        assert.deepEqual(back.weights.get(name)!.shape, t.shape);
        assert.deepEqual(Array.from(back.weights.get(name)!.data), Array.from(t.data), name);
      }
    }
    const manifest = JSON.parse(readFileSync(join(dir, 'b', 'model.json'), 'utf8'));
    assert.equal(manifest.format, 'emovox-model');
    assert.equal(manifest.tensors[0].name, 'convs.0.weight');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('corrupt, truncated or mismatched bundles raise EmovoxInputError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-bundle-'));
  try {
    const file = join(dir, 'm.emovox');
    saveBundle(file, { config, weights: initWeights(config) });
    const bytes = readFileSync(file);
    writeFileSync(join(dir, 'cut.emovox'), bytes.subarray(0, bytes.length - 10));
    assert.throws(
      () => loadBundle(join(dir, 'cut.emovox')),
      (e: unknown) => e instanceof EmovoxInputError && /outside the weights/.test(e.message),
    );
    writeFileSync(join(dir, 'bad.emovox'), Buffer.from('NOTEMOVOX......'));
    assert.throws(() => loadBundle(join(dir, 'bad.emovox')), /bad magic/);
    writeFileSync(join(dir, 'empty.emovox'), Buffer.alloc(0));
    assert.throws(() => loadBundle(join(dir, 'empty.emovox')), EmovoxInputError);
    assert.throws(() => loadBundle(join(dir, 'absent')), EmovoxInputError);
    const weights = initWeights(config);
    weights.get('head.bias')!.data[0] = NaN;
    assert.throws(() => saveBundle(join(dir, 'nan'), { config, weights }), /non-finite/);
    const other = initWeights({ ...config, dense: 6 });
    assert.throws(() => checkWeights(resolveConfig(config), other, 'x'), /shape/);
    assert.throws(
      () => saveBundle(join(dir, 'l'), { config, weights: initWeights(config), labels: ['a'] }),
      /labels/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
