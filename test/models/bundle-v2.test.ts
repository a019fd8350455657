import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle, saveBundle, type ModelBundle } from '../../src/models/bundle.js';
import { initWeights } from '../../src/models/weights.js';
import { readOnnxMetadata } from '../../src/models/onnx/metadata.js';
import { VERSION } from '../../src/version.js';

const config = { kind: 'mlp' as const, inputDim: 3, classes: 2, hidden: [4] };

function bundle(): ModelBundle {
  return {
    config,
    weights: initWeights(config, 1),
    labels: ['neutral', 'angry'],
    inputs: {
      features: {
        kind: 'vector',
        sets: [{ name: 'functionals', version: 1, params: { sampleRate: 16000 } }],
      },
    },
    preprocess: { trimSilence: { topDb: 30 } },
    normalization: {
      features: {
        mode: 'speaker',
        layout: 'vector',
        channels: 3,
        stats: { mean: [0, 1, 2], std: [1, 2, 3], count: 10 },
        minUtterances: 10,
      },
    },
    calibration: { temperature: 1.7, fittedOn: 'validation speakers', eceBefore: 0.2, eceAfter: 0.05 },
    card: {
      name: 'test',
      created: '2026-01-01T00:00:00Z',
      emovox: VERSION,
      data: [{ corpus: 'ravdess', items: 10, speakers: 2, role: 'eval', licence: 'CC BY-NC-SA 4.0' }],
      terms: 'non-commercial',
      classes: ['neutral', 'angry'],
      protocol: { name: 'folds:ravdess6', folds: 6, speakerIndependent: true },
      metrics: { ua: { mean: 0.5, std: 0.1 } },
    },
  };
}

test('format-2 bundles keep inputs, preprocessing, normalisation, calibration and card; ONNX and card files beside', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-bundle2-'));
  try {
    const b = bundle();
    for (const path of [join(dir, 'm'), join(dir, 'm.emovox')]) {
      saveBundle(path, b);
      const back = loadBundle(path);
      assert.deepEqual(back.inputs, b.inputs);
      assert.deepEqual(back.normalization, b.normalization);
      assert.deepEqual(back.calibration, b.calibration);
      assert.deepEqual(back.preprocess, b.preprocess);
      assert.deepEqual(back.card, b.card);
    }
    const manifest = JSON.parse(readFileSync(join(dir, 'm', 'model.json'), 'utf8'));
    assert.equal(manifest.version, 2);
    assert.equal(manifest.emovox, VERSION);
    assert.deepEqual(manifest.files, { onnx: 'model.onnx', card: 'MODEL_CARD.md' });
    const meta = readOnnxMetadata(new Uint8Array(readFileSync(join(dir, 'm', 'model.onnx'))));
    assert.equal(meta.labels, JSON.stringify(['neutral', 'angry']));
    assert.equal(meta['emovox.temperature'], '1.7');
    const card = readFileSync(join(dir, 'm', 'MODEL_CARD.md'), 'utf8');
    assert.match(card, /CC BY-NC-SA 4\.0/);
    assert.match(card, /\| ua \| 50\.0 % \| 10\.0 % \|/);
    saveBundle(join(dir, 'plain'), { config, weights: initWeights(config) }, { onnx: false });
    assert.equal(existsSync(join(dir, 'plain', 'model.onnx')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('format-1 bundles still load; newer formats, other labels and bad statistics fail naming the bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-bundle2-'));
  try {
    const path = join(dir, 'old');
    saveBundle(path, bundle());
    const manifest = JSON.parse(readFileSync(join(path, 'model.json'), 'utf8'));
    const write = (m: unknown) => writeFileSync(join(path, 'model.json'), JSON.stringify(m));
    // A format-1 manifest as emovox 0.1 wrote it: no emovox field, no format-2 sections.
    write({
      format: 'emovox-model',
      version: 1,
      config: manifest.config,
      labels: manifest.labels,
      tensors: manifest.tensors,
    });
    const v1 = loadBundle(path);
    assert.deepEqual(v1.labels, ['neutral', 'angry']);
    assert.equal(v1.inputs, undefined);
    assert.throws(
      () => loadBundle(path, { labels: ['neutral', 'happy'] }),
      (e: Error) =>
        e.message.startsWith(
          `${path}: bundle labels [neutral, angry] differ from the expected [neutral, happy]`,
        ),
    );
    write({ ...manifest, version: 3, emovox: '9.0.0' });
    assert.throws(
      () => loadBundle(path),
      (e: Error) =>
        e.message ===
        `${path}: bundle format 3 (written by emovox 9.0.0) is newer than emovox ${VERSION} can read (formats 1-2): upgrade emovox`,
    );
    write({ ...manifest, config: { ...manifest.config, kind: 'transformerXL' } });
    assert.throws(() => loadBundle(path), /model configuration not understood by emovox/);
    write({
      ...manifest,
      normalization: {
        features: { ...manifest.normalization.features, stats: { mean: [0], std: [1], count: 1 } },
      },
    });
    assert.throws(() => loadBundle(path), /old: normalisation of input features has malformed statistics/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
