// ONNX speech and speaker encoders against PyTorch: reference/encoder_models.py builds torchaudio's
// wav2vec2 / HuBERT architecture (reduced width and depth) and two speaker models with random
// weights, exports them in the layouts users bring, and records PyTorch's outputs. Generated at test
// time into a cache folder outside the repository (os.tmpdir()), reused while the script is unchanged.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encoderFeatures,
  SpeechEncoder,
  type SpeechEncoderOptions,
  type EncoderPooling,
} from '../../src/encoders/speech.js';
import { SpeakerEncoder } from '../../src/encoders/speaker.js';
import { extractFeatures } from '../../src/extract/extract.js';
import { featureSpecHash } from '../../src/extract/spec-hash.js';
import { featureSpec } from '../../src/features/sets.js';
import { saveAudio } from '../../src/audio/save.js';
import { repoRoot } from '../helpers/data.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(repoRoot, 'reference', 'encoder_models.py');

function torchaudioSkip(): string | false {
  const r = spawnSync(PYTHON, ['-c', 'import torchaudio'], { encoding: 'utf8' });
  return r.status === 0
    ? false
    : 'encoder parity skipped: /usr/bin/python3 cannot import torchaudio (apt-get install python3-torchaudio)';
}

interface Case {
  name: string;
  model: string;
  audio: 'short' | 'long';
  speaker?: boolean;
  options: SpeechEncoderOptions & { pooling?: EncoderPooling };
  vector?: string;
  frames?: string;
  shape?: [number, number];
}

const floats = (b64: string) => {
  const b = Buffer.from(b64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The generated models, cached by the script's hash. */
function models(): string {
  const hash = createHash('sha256').update(readFileSync(SCRIPT)).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `emovox-encoder-models-${hash}`);
  if (existsSync(join(dir, 'expected.json'))) return dir;
  const partial = mkdtempSync(join(tmpdir(), 'emovox-encoder-models-tmp-'));
  const r = spawnSync(PYTHON, [SCRIPT, partial], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of [
    'w2v-layers.onnx',
    'hubert-stacked.onnx',
    'w2v-last.onnx',
    'conv-frontend.onnx',
    'ecapa-fbank.onnx',
    'xvector-wave.onnx',
    'expected.json',
  ])
    copyFileSync(join(partial, f), join(dir, f));
  rmSync(partial, { recursive: true, force: true });
  return dir;
}

describe('ONNX encoders equal PyTorch', { skip: torchaudioSkip() }, () => {
  let dir = '';
  let audio: Record<string, Float32Array> = {};
  let cases: Case[] = [];
  before(() => {
    dir = models();
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
      audio: Record<string, string>;
      cases: Case[];
    };
    audio = Object.fromEntries(Object.entries(expected.audio).map(([k, v]) => [k, floats(v)]));
    cases = expected.cases;
  });

  test('layouts are detected from input and output names', async () => {
    const layers = await SpeechEncoder.open(join(dir, 'w2v-layers.onnx'));
    assert.deepEqual(layers.input, {
      audio: 'input_values',
      audioKind: 'waveform',
      mask: { name: 'attention_mask', kind: 'attention', type: 'int64' },
    });
    assert.equal(layers.output.kind, 'per-layer');
    await layers.release();
    const stacked = await SpeechEncoder.open(join(dir, 'hubert-stacked.onnx'));
    assert.deepEqual(stacked.input.mask, { name: 'padding_mask', kind: 'padding', type: 'bool' });
    assert.deepEqual(stacked.output, { kind: 'stacked', name: 'hidden_states' });
    await stacked.release();
    const speaker = await SpeakerEncoder.open(join(dir, 'ecapa-fbank.onnx'));
    assert.deepEqual(speaker.input, { audio: 'feats', audioKind: 'fbank', bins: 80 });
    assert.equal(speaker.output, 'embs');
    await speaker.release();
  });

  test('every case within 1e-4 of PyTorch', async () => {
    assert.equal(cases.length, 8);
    for (const c of cases) {
      const path = join(dir, c.model);
      const x = audio[c.audio];
      if (c.speaker) {
        const enc = await SpeakerEncoder.open(path);
        const d = maxDiff(await enc.embed(x, 16000), floats(c.vector!));
        await enc.release();
        assert.ok(d < 1e-4, `${c.name}: max |emovox - PyTorch| = ${d}`);
        continue;
      }
      const r = await encoderFeatures(x, { ...c.options, model: path });
      const got = c.frames ? r.frames!.data : r.vector!;
      const d = maxDiff(got, floats(c.frames ?? c.vector!));
      if (c.shape) assert.deepEqual([r.frames!.frames, r.frames!.bins], c.shape);
      assert.ok(d < 1e-4, `${c.name}: max |emovox - PyTorch| = ${d}`);
    }
  });

  test('a model with only last_hidden_state refuses other layers', async () => {
    await assert.rejects(
      encoderFeatures(audio.short, { model: join(dir, 'w2v-last.onnx'), layer: 1 }),
      /outputs only its last hidden state/,
    );
    await assert.rejects(
      encoderFeatures(audio.short, { model: join(dir, 'w2v-layers.onnx'), layer: 4 }),
      /layer/,
    );
  });

  test('feature sets: extraction on workers, cache keyed by the model hash, preprocessor config', async () => {
    const work = mkdtempSync(join(tmpdir(), 'emovox-encoder-sets-'));
    try {
      const wav = join(work, 'a.wav');
      saveAudio(wav, audio.short, 16000, { bitDepth: 'float32' });
      const cache = join(work, 'cache');
      const c = cases.find((k) => k.name.startsWith('w2v layer 2'))!;
      const spec = featureSpec('encoder', { model: join(dir, 'w2v-layers.onnx'), layer: 2, normalize: true });
      assert.equal(
        spec.params.modelSha256,
        createHash('sha256')
          .update(readFileSync(join(dir, 'w2v-layers.onnx')))
          .digest('hex'),
      );
      const first = await extractFeatures([wav, wav], spec, { workers: 2, cache });
      assert.equal(first.failures.length, 0, JSON.stringify(first.failures));
      for (const r of first.results) assert.ok(maxDiff(r.value.vector!, floats(c.vector!)) < 1e-4);
      assert.equal(first.results[0].value.names?.[0], 'l0.d0');
      const again = await extractFeatures([wav], spec, { workers: 0, cache });
      assert.equal(again.stats.cacheHits, 1);

      // normalize null: taken from preprocessor_config.json beside the model.
      const copy = join(work, 'model');
      mkdirSync(copy);
      copyFileSync(join(dir, 'w2v-layers.onnx'), join(copy, 'model.onnx'));
      writeFileSync(
        join(copy, 'preprocessor_config.json'),
        JSON.stringify({ do_normalize: true, sampling_rate: 16000 }),
      );
      const auto = featureSpec('encoder', { model: join(copy, 'model.onnx'), layer: 2 });
      assert.equal(auto.params.normalize, true);
      assert.notEqual(
        featureSpecHash(auto),
        featureSpecHash(featureSpec('encoder', { model: join(dir, 'hubert-stacked.onnx') })),
      );

      const frames = await extractFeatures(
        [wav],
        featureSpec('encoder-frames', {
          model: join(dir, 'w2v-layers.onnx'),
          allLayers: true,
          normalize: true,
        }),
        { workers: 0, cache: false },
      );
      const all = cases.find((k) => k.name.startsWith('w2v all layers'))!;
      assert.ok(maxDiff(frames.results[0].value.matrix!.data, floats(all.frames!)) < 1e-4);

      const speaker = await extractFeatures(
        [wav],
        featureSpec('speaker-embedding', { model: join(dir, 'ecapa-fbank.onnx') }),
        { workers: 1, cache: false },
      );
      const spk = cases.find((k) => k.model === 'ecapa-fbank.onnx')!;
      assert.ok(maxDiff(speaker.results[0].value.vector!, floats(spk.vector!)) < 1e-4);
      assert.throws(() => featureSpec('encoder'), /needs model=<file.onnx>/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe(
  'full-size wav2vec2_base() and hubert_base() equal PyTorch',
  {
    skip:
      torchaudioSkip() ||
      (process.env.EMOVOX_BASE_ENCODERS === '1'
        ? false
        : 'opt-in: EMOVOX_BASE_ENCODERS=1 exports the two ~380 MB base models to a temporary folder (about two minutes)'),
  },
  () => {
    test('layers 6 and 12, mean + std, normalised input', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'emovox-base-encoders-'));
      try {
        const r = spawnSync(PYTHON, [SCRIPT, '--base', dir], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
          audio: Record<string, string>;
          cases: Case[];
        };
        const x = floats(expected.audio.short);
        for (const c of expected.cases) {
          const got = await encoderFeatures(x, { ...c.options, model: join(dir, c.model) });
          const d = maxDiff(got.vector!, floats(c.vector!));
          assert.ok(d < 1e-4, `${c.name}: max |emovox - PyTorch| = ${d}`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
