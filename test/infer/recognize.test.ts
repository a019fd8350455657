// recognize() and timeline() with the bundled model and with other bundles: any format and
// rate, clear errors for bundles this emovox cannot use, speech found by both detectors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav, loadAudio, resample, saveFlac, synthesizeSpeechLike } from '../../src/audio/index.js';
import { featureSpec } from '../../src/features/sets.js';
import { FrontEnd } from '../../src/infer/frontend.js';
import { bundledModels, DEFAULT_MODEL, resolveModelPath } from '../../src/infer/bundled.js';
import { Recognizer, recognize, timeline, LOW_CONFIDENCE_KEY } from '../../src/infer/recognizer.js';
import { loadBundle, saveBundle } from '../../src/models/bundle.js';
import { initWeights } from '../../src/models/weights.js';
import { EmovoxInputError } from '../../src/util/errors.js';
import { realDataSkip, repoRoot, sharedDataDir } from '../helpers/data.js';

const temp = mkdtempSync(join(tmpdir(), 'emovox-recognize-'));
after(() => rmSync(temp, { recursive: true, force: true }));
const example = join(repoRoot, 'examples', 'espeak-kids-talking.wav');
const sum = (scores: Record<string, number>) => Object.values(scores).reduce((a, b) => a + b, 0);

test('the bundled model is found, is small, and has seven classes with a calibration', () => {
  const models = bundledModels();
  assert.ok(models.some((m) => m.name === DEFAULT_MODEL && m.isDefault));
  const bundle = loadBundle(resolveModelPath(undefined));
  assert.deepEqual(bundle.labels, ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised']);
  assert.ok(bundle.calibration && bundle.calibration.temperature > 0);
  assert.ok(bundle.card && /non-commercial/i.test(bundle.card.terms));
  const onnx = readFileSync(join(resolveModelPath(undefined), 'model.onnx'));
  assert.ok(onnx.length < 4 * 2 ** 20, `model.onnx is ${onnx.length} bytes`);
});

test('recognize: the example clip from a path, bytes, samples; any rate and channel count', async () => {
  const r = await recognize(example);
  assert.ok(r.label in r.scores);
  assert.equal(Object.keys(r.scores).length, 7);
  assert.ok(Math.abs(sum(r.scores) - 1) < 1e-6);
  assert.equal(r.confidence, r.scores[r.label]);
  assert.equal(typeof r.lowConfidence, 'boolean');
  assert.ok(Math.abs(r.durationS - 2.244) < 0.01);
  const bytes = await recognize(new Uint8Array(readFileSync(example)));
  assert.deepEqual(bytes, r);
  const audio = await loadAudio(example, { mono: true });
  const fromSamples = await recognize(audio.samples, { sampleRate: audio.sampleRate });
  assert.deepEqual(fromSamples, r);
  // 44.1 kHz stereo WAV and 48 kHz FLAC of the same clip: same answer, probabilities within 0.05.
  const up = resample(audio.samples, audio.sampleRate, 44100);
  const wav = join(temp, 'example-44k-stereo.wav');
  writeFileSync(wav, encodeWav([up, up], 44100));
  const flac = join(temp, 'example-48k.flac');
  await saveFlac(flac, resample(audio.samples, audio.sampleRate, 48000), 48000);
  for (const file of [wav, flac]) {
    const other = await recognize(file);
    assert.equal(other.label, r.label, file);
    for (const l of Object.keys(r.scores))
      assert.ok(Math.abs(other.scores[l] - r.scores[l]) < 0.05, `${file}: ${l}`);
  }
  await assert.rejects(recognize(audio.samples), /sample rate/);
});

test('recognize: unreadable, too short and silent audio give EmovoxInputError naming the input', async () => {
  await assert.rejects(
    recognize(join(temp, 'missing.wav')),
    (e: unknown) => e instanceof EmovoxInputError && e.source === join(temp, 'missing.wav'),
  );
  const short = join(temp, 'short.wav');
  writeFileSync(short, encodeWav(synthesizeSpeechLike({ durationS: 0.02 }), 16000));
  await assert.rejects(
    recognize(short),
    (e: unknown) => e instanceof EmovoxInputError && e.source === short && /too short/.test(e.problem),
  );
  await assert.rejects(recognize(new Float32Array(16000), { sampleRate: 16000 }), /silence/);
});

test('a bundle with another label set loads and answers with its labels; its stored threshold is used', async () => {
  const spec = {
    kind: 'vector' as const,
    sets: [featureSpec('functionals', { nMfcc: 13, deltaOrders: [] })],
  };
  const labels = ['bored', 'excited', 'calm'];
  const y = synthesizeSpeechLike({ durationS: 1, sampleRate: 16000, seed: 1 });
  const width = new FrontEnd({ inputs: { features: spec } }).compute(y, 16000).features.shape[1];
  const config = { kind: 'mlp' as const, inputDim: width, classes: 3, hidden: [8] };
  const dir = join(temp, 'other-labels');
  saveBundle(dir, {
    config,
    weights: initWeights(config, 7),
    labels,
    inputs: { features: spec },
    calibration: { temperature: 1.5, fittedOn: 'test' },
    metadata: { [LOW_CONFIDENCE_KEY]: '0.99' },
  });
  const r = await recognize(example, { model: dir });
  assert.deepEqual(Object.keys(r.scores), labels);
  assert.equal(r.lowConfidence, r.confidence < 0.99, 'the stored threshold decides the flag');
  const loaded = await Recognizer.load(dir);
  assert.equal(loaded.temperature, 1.5);
  assert.equal(loaded.lowConfidenceBelow, 0.99);
  await loaded.release();
});

test('bundles this emovox cannot use fail with a clear error naming the bundle', async () => {
  // Format 1 (emovox before bundles described their features): model.json without inputs.
  const old = join(temp, 'format1');
  cpSync(resolveModelPath(undefined), old, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(old, 'model.json'), 'utf8'));
  for (const k of ['inputs', 'normalization', 'calibration', 'card', 'preprocess', 'emovox', 'files'])
    delete manifest[k];
  manifest.version = 1;
  writeFileSync(join(old, 'model.json'), JSON.stringify(manifest));
  await assert.rejects(
    Recognizer.load(old),
    (e: unknown) =>
      e instanceof EmovoxInputError &&
      e.source === old &&
      /format 1/.test(e.problem) &&
      /emovox train/.test(e.problem),
  );
  // A newer bundle format.
  const newer = join(temp, 'format9');
  cpSync(resolveModelPath(undefined), newer, { recursive: true });
  const m9 = JSON.parse(readFileSync(join(newer, 'model.json'), 'utf8'));
  m9.version = 9;
  writeFileSync(join(newer, 'model.json'), JSON.stringify(m9));
  await assert.rejects(
    Recognizer.load(newer),
    (e: unknown) => e instanceof EmovoxInputError && e.source === newer && /newer/.test(e.problem),
  );
  // A feature set from a future emovox.
  const future = join(temp, 'future-set');
  cpSync(resolveModelPath(undefined), future, { recursive: true });
  const mf = JSON.parse(readFileSync(join(future, 'model.json'), 'utf8'));
  mf.inputs.features.sets[0].version = 42;
  writeFileSync(join(future, 'model.json'), JSON.stringify(mf));
  await assert.rejects(
    Recognizer.load(future),
    (e: unknown) => e instanceof EmovoxInputError && e.source === future && /v42/.test(e.problem),
  );
  await assert.rejects(
    Recognizer.load(join(temp, 'nothing-here')),
    (e: unknown) => e instanceof EmovoxInputError && /cannot read model/.test(e.problem),
  );
});

test('timeline: speech regions of a long recording, windows with smoothed and raw scores (energy, Silero, none)', async () => {
  const audio = await loadAudio(example, { mono: true, sr: 16000 });
  const gap = new Float32Array(16000 * 2);
  const y = new Float32Array(gap.length * 3 + audio.samples.length * 2);
  y.set(audio.samples, gap.length);
  y.set(audio.samples, 2 * gap.length + audio.samples.length);
  for (const vad of ['silero', 'energy'] as const) {
    const tl = await timeline(y, { sampleRate: 16000, vad });
    assert.equal(tl.speech.length, 2, `${vad}: ${JSON.stringify(tl.speech)}`);
    assert.ok(Math.abs(tl.speech[0].startS - 2) < 0.4, `${vad}: ${JSON.stringify(tl.speech)}`);
    assert.equal(tl.segments.length, 2);
    for (const s of tl.segments) {
      assert.ok(Math.abs(sum(s.scores) - 1) < 1e-6 && Math.abs(sum(s.raw.scores) - 1) < 1e-6);
      assert.equal(s.label, Object.entries(s.scores).sort((a, b) => b[1] - a[1])[0][0]);
    }
  }
  const windows = await timeline(y, { sampleRate: 16000, vad: 'none', window: 2, hop: 1, smoothing: 0 });
  assert.equal(windows.speech.length, 1);
  assert.ok(windows.segments.length >= 7);
  for (const s of windows.segments)
    for (const l of Object.keys(s.scores))
      assert.ok(Math.abs(s.scores[l] - s.raw.scores[l]) < 1e-12, 'smoothing 0 leaves the scores as they are');
  assert.ok(windows.skipped.length >= 1, 'windows of digital silence are skipped, with the reason');
  assert.match(windows.skipped[0].problem, /silence/);
  await assert.rejects(timeline(y, { sampleRate: 16000, window: 2, hop: 3 }), /hop/);
});

test(
  'real clips: eight RAVDESS emotions of one actor are not all given one label',
  { skip: realDataSkip() },
  async () => {
    const dir = join(sharedDataDir()!, 'ravdess', 'Audio_Speech_Actors_01-24', 'Actor_09');
    const results = [];
    for (let e = 1; e <= 8; e++) {
      const file = join(dir, `03-01-0${e}-01-01-01-09.flac`);
      results.push(await recognize(file));
    }
    const distinct = new Set(results.map((r) => r.label));
    assert.ok(distinct.size >= 3, `labels: ${results.map((r) => r.label).join(', ')}`);
    for (const r of results) assert.ok(r.durationS > 2 && r.durationS < 6);
  },
);
