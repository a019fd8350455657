// The inference front end must compute exactly what training computed (no training/serving
// skew): same resampling, same feature sets, same combination, same normalisation.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav, loadAudio, synthesizeSpeechLike, trim } from '../../src/audio/index.js';
import { extractArrays } from '../../src/data/arrays.js';
import { featureSpec } from '../../src/features/sets.js';
import { combine, FrontEnd } from '../../src/infer/frontend.js';
import { RunningStats, standardize } from '../../src/models/normalization.js';
import { EmovoxInputError } from '../../src/util/errors.js';
import { realDataSkip, sharedDataDir } from '../helpers/data.js';

const temp = mkdtempSync(join(tmpdir(), 'emovox-frontend-'));
after(() => rmSync(temp, { recursive: true, force: true }));

/** Writes speech-like clips at `rate` (stereo when asked) and returns their paths. */
function clips(rate: number, count: number, stereo = false): string[] {
  return Array.from({ length: count }, (_, i) => {
    const y = synthesizeSpeechLike({
      durationS: 0.8 + 0.3 * i,
      f0Hz: 110 + 30 * i,
      sampleRate: rate,
      seed: i + 1,
    });
    const path = join(temp, `clip-${rate}-${i}${stereo ? '-st' : ''}.wav`);
    writeFileSync(path, encodeWav(stereo ? [y, y.map((v) => 0.5 * v)] : y, rate, { bitDepth: 'float32' }));
    return path;
  });
}

function assertClose(a: Float32Array, b: Float32Array, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < a.length; i++)
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  assert.ok(worst <= tol, `${what}: largest relative difference ${worst}`);
}

test('vector, frames and image inputs equal what training extracts (files at 44.1 kHz stereo and 16 kHz)', async () => {
  const specs = {
    features: { kind: 'vector' as const, sets: [featureSpec('functionals'), featureSpec('vector180')] },
    frames: { kind: 'frames' as const, sets: [featureSpec('mfcc40')], maxFrames: 20 },
    spectrogram: { kind: 'image' as const, sets: [featureSpec('logmel', { frames: 32, nMels: 32 })] },
  };
  const paths = [...clips(44100, 2, true), ...clips(16000, 2)];
  const trained = await extractArrays(paths, specs, { cache: false, workers: 0 });
  assert.ok(trained.problems.every((p) => p === undefined));
  const front = new FrontEnd({ inputs: specs });
  assert.deepEqual(front.rates, [16000, 22050]);
  for (const [i, path] of paths.entries()) {
    const audio = await loadAudio(path, { mono: true });
    const inputs = front.compute(audio.samples, audio.sampleRate);
    for (const name of Object.keys(specs)) {
      assertClose(
        inputs[name].data as Float32Array,
        trained.inputs[name].rows[i],
        1e-6,
        `${name} of ${path}`,
      );
    }
    assert.deepEqual(inputs.features.shape, [1, trained.inputs.features.shape[0]]);
    assert.deepEqual(inputs.spectrogram.shape, [1, 1, 32, 32]);
    assert.equal(inputs.frames.shape[2], 40);
    assert.deepEqual([...(inputs.lengths.data as Int32Array)], [inputs.frames.shape[1]]);
  }
});

test('stored normalisation is applied (global z-score with the training statistics)', () => {
  const spec = { kind: 'vector' as const, sets: [featureSpec('functionals')] };
  const y = synthesizeSpeechLike({ durationS: 1, sampleRate: 16000, seed: 3 });
  const raw = new FrontEnd({ inputs: { features: spec } }).compute(y, 16000).features.data as Float32Array;
  const running = new RunningStats('vector', raw.length);
  running.add(raw);
  running.add(raw.map((v) => v * 2 + 1));
  const stats = running.stats();
  const normalized = new FrontEnd({
    inputs: { features: spec },
    normalization: { features: { mode: 'global', layout: 'vector', channels: raw.length, stats } },
  }).compute(y, 16000).features.data as Float32Array;
  assertClose(normalized, standardize(raw, 'vector', stats), 0, 'normalised');
});

test('silence is trimmed as the bundle prescribes, before the features (as training derived its audio)', () => {
  const spec = { kind: 'vector' as const, sets: [featureSpec('functionals')] };
  const front = new FrontEnd({ inputs: { features: spec }, preprocess: { trimSilence: { topDb: 30 } } });
  const plain = new FrontEnd({ inputs: { features: spec } });
  const y = synthesizeSpeechLike({ durationS: 1, sampleRate: 16000, seed: 5 });
  const padded = new Float32Array(y.length + 32000);
  padded.set(y, 16000);
  const a = front.compute(padded, 16000).features.data as Float32Array;
  const b = plain.compute(trim(padded, { topDb: 30 }).trimmed, 16000).features.data as Float32Array;
  assertClose(a, b, 0, 'trimmed inside vs before');
  const c = plain.compute(padded, 16000).features.data as Float32Array;
  assert.ok(
    c.some((v, i) => Math.abs(v - a[i]) > 1e-3),
    'trimming changes the features of a padded clip',
  );
  assert.throws(() => front.compute(new Float32Array(16000), 16000, '', 'silent.wav'), /silence/);
});

test('clear errors: unknown feature set or version (naming the bundle), too short or silent audio', () => {
  assert.throws(
    () =>
      new FrontEnd(
        {
          inputs: {
            features: {
              kind: 'vector',
              sets: [{ name: 'wav2vec9', version: 1, params: { sampleRate: 16000 } }],
            },
          },
        },
        'my-bundle',
      ),
    (e: unknown) => e instanceof EmovoxInputError && e.source === 'my-bundle' && /wav2vec9/.test(e.problem),
  );
  const future = { ...featureSpec('functionals'), version: 99 };
  assert.throws(
    () => new FrontEnd({ inputs: { features: { kind: 'vector', sets: [future] } } }, 'b2'),
    (e: unknown) => e instanceof EmovoxInputError && e.source === 'b2' && /v99/.test(e.problem),
  );
  const front = new FrontEnd({
    inputs: { features: { kind: 'vector', sets: [featureSpec('functionals')] } },
  });
  assert.throws(() => front.compute(new Float32Array(100), 16000, '', 'x.wav'), /too short/);
  assert.throws(() => front.compute(new Float32Array(16000), 0), /sample rate/);
  assert.throws(
    () =>
      combine({ kind: 'vector', sets: [] }, [{ matrix: { data: new Float32Array(4), frames: 2, bins: 2 } }]),
    /vector feature sets/,
  );
});

test('real RAVDESS clips: front end equals training extraction', { skip: realDataSkip() }, async () => {
  const dir = join(sharedDataDir()!, 'ravdess', 'Audio_Speech_Actors_01-24', 'Actor_03');
  const paths = ['03-01-05-02-01-01-03.flac', '03-01-01-01-02-01-03.flac'].map((f) => join(dir, f));
  const specs = {
    features: { kind: 'vector' as const, sets: [featureSpec('functionals'), featureSpec('prosodic')] },
  };
  const trained = await extractArrays(paths, specs, { cache: false, workers: 0 });
  const front = new FrontEnd({ inputs: specs });
  for (const [i, path] of paths.entries()) {
    const audio = await loadAudio(path, { mono: true });
    assertClose(
      front.compute(audio.samples, audio.sampleRate).features.data as Float32Array,
      trained.inputs.features.rows[i],
      1e-6,
      path,
    );
  }
});
