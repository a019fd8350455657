// kaldiFbank against torchaudio.compliance.kaldi.fbank (reference/kaldi_fbank_golden.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { kaldiFbank, type KaldiFbankOptions } from '../../src/features/kaldi-fbank.js';
import { EmovoxParameterError } from '../../src/util/errors.js';

interface Case {
  name: string;
  sampleRate: number;
  options: KaldiFbankOptions;
  samples: string;
  frames: number;
  bins: number;
  values: string;
}

const floats = (b64: string) => {
  const b = Buffer.from(b64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

const golden = (
  JSON.parse(readFileSync(new URL('../fixtures/features/kaldi_fbank.json', import.meta.url), 'utf8')) as {
    cases: Case[];
  }
).cases;

for (const c of golden) {
  test(`kaldiFbank equals torchaudio.compliance.kaldi.fbank: ${c.name}`, () => {
    const got = kaldiFbank(floats(c.samples), c.sampleRate, c.options);
    const want = floats(c.values);
    assert.equal(got.frames, c.frames);
    assert.equal(got.bins, c.bins);
    let worst = 0;
    for (let i = 0; i < want.length; i++) {
      // float32 torch vs float64 here: relative for the linear energies, absolute for logs.
      worst = Math.max(worst, Math.abs(got.data[i] - want[i]) / Math.max(1, Math.abs(want[i])));
    }
    assert.ok(worst < 1e-4, `${c.name}: max relative difference ${worst}`);
  });
}

test('kaldiFbank: frame count, silence floor, dither seeded, bad options', () => {
  const second = new Float32Array(16000);
  const fb = kaldiFbank(second, 16000);
  assert.equal(fb.frames, 98);
  assert.equal(fb.bins, 80);
  assert.ok(fb.data.every((v) => Math.abs(v - Math.log(1.1920928955078125e-7)) < 1e-5));
  assert.equal(kaldiFbank(new Float32Array(399), 16000).frames, 0);
  const a = kaldiFbank(second, 16000, { dither: 1e-3, seed: 3 });
  const b = kaldiFbank(second, 16000, { dither: 1e-3, seed: 3 });
  assert.deepEqual(a.data, b.data);
  assert.notDeepEqual(a.data, kaldiFbank(second, 16000, { dither: 1e-3, seed: 4 }).data);
  assert.throws(() => kaldiFbank(second, 16000, { lowFreq: 9000 }), EmovoxParameterError);
  assert.throws(() => kaldiFbank(second, 16000, { numMelBins: 0 }), /numMelBins/);
});

test('the fbank feature set is kaldiFbank with its parameters', async () => {
  const { featureFunction, featureSpec } = await import('../../src/features/sets.js');
  const c = golden[0];
  const value = await featureFunction(featureSpec('fbank'))(floats(c.samples), 16000);
  assert.deepEqual(value.matrix, kaldiFbank(floats(c.samples), 16000));
  assert.equal(value.names?.[0], 'fbank0');
  const energy = await featureFunction(featureSpec('fbank', { useEnergy: true, numMelBins: 40 }))(
    floats(c.samples),
    16000,
  );
  assert.equal(energy.matrix?.bins, 41);
  assert.equal(energy.names?.[0], 'logEnergy');
});
