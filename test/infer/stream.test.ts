// The streaming recogniser: events as segments end, any chunk size and rate, interim events,
// segments cut at the length cap, the summary; with a stub classifier (what was scored) and
// with the bundled model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadAudio, resample, synthesizeSpeechLike } from '../../src/audio/index.js';
import { createStreamingRecognizer } from '../../src/infer/recognizer.js';
import type { EmotionScores } from '../../src/infer/scores.js';
import { StreamingRecognizer, type StreamEvent } from '../../src/infer/stream.js';
import type { UtteranceClassifier } from '../../src/infer/timeline-core.js';
import { EnergyFrameVad } from '../../src/infer/vad.js';
import { realDataSkip, sharedDataDir } from '../helpers/data.js';

const labels = ['calm', 'loud'];

/** Labels by level: a stub that records what it was given. */
class StubClassifier implements UtteranceClassifier {
  readonly labels = labels;
  readonly lowConfidenceBelow = 0.6;
  calls: { seconds: number; rate: number }[] = [];
  async classify(samples: Float32Array, sampleRate: number): Promise<EmotionScores> {
    this.calls.push({ seconds: samples.length / sampleRate, rate: sampleRate });
    let peak = 0;
    for (const v of samples) peak = Math.max(peak, Math.abs(v));
    const loud = peak > 0.3 ? 0.9 : 0.2;
    return {
      label: loud > 0.5 ? 'loud' : 'calm',
      scores: { calm: 1 - loud, loud },
      confidence: Math.max(loud, 1 - loud),
      lowConfidence: false,
    };
  }
}

/** 1 s silence, 1.5 s burst (peak 0.5), 1.5 s silence, 2 s quiet burst (peak 0.2), 1 s silence. */
function signal(rate: number): Float32Array {
  const y = new Float32Array(7 * rate);
  const a = synthesizeSpeechLike({ durationS: 1.5, sampleRate: rate, seed: 1 });
  const b = synthesizeSpeechLike({ durationS: 2, sampleRate: rate, seed: 2, f0Hz: 200 }).map((v) => 0.4 * v);
  y.set(a, rate);
  y.set(b, 4 * rate);
  return y;
}

async function run(stream: StreamingRecognizer, y: Float32Array, chunk: number): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for (let at = 0; at < y.length; at += chunk)
    events.push(...(await stream.push(y.subarray(at, at + chunk))));
  events.push(...(await stream.end()));
  return events;
}

test('events as segments end, at the right times, whatever the chunk size and the input rate', async () => {
  let reference: StreamEvent[] | undefined;
  for (const rate of [16000, 44100, 8000]) {
    for (const chunk of [160, 4096, 7 * rate]) {
      const classifier = new StubClassifier();
      const stream = new StreamingRecognizer({ sampleRate: rate, classifier, vad: new EnergyFrameVad() });
      const events = await run(stream, signal(rate), chunk);
      assert.deepEqual(
        events.map((e) => [e.type, e.label, e.reason]),
        [
          ['segment', 'loud', 'pause'],
          ['segment', 'calm', 'pause'],
        ],
        `rate ${rate}, chunk ${chunk}`,
      );
      assert.ok(
        Math.abs(events[0].startS - 1) < 0.25 && Math.abs(events[0].endS - 2.5) < 0.3,
        JSON.stringify(events[0]),
      );
      assert.ok(
        Math.abs(events[1].startS - 4) < 0.25 && Math.abs(events[1].endS - 6) < 0.4,
        JSON.stringify(events[1]),
      );
      assert.ok(
        classifier.calls.every((c) => c.rate === rate),
        'the classifier gets audio at the stream rate',
      );
      if (rate === 16000) {
        if (reference) assert.deepEqual(events, reference, `chunk ${chunk} gives the same events`);
        else reference = events;
      }
      const summary = stream.summary();
      assert.equal(summary.segments, 2);
      assert.ok(Math.abs(summary.durationS - 7) < 1e-9);
      assert.equal(summary.labels.loud.segments, 1);
      assert.equal(
        summary.dominant,
        summary.labels.calm.seconds > summary.labels.loud.seconds ? 'calm' : 'loud',
      );
      assert.ok(events[1].smoothed, 'segments carry smoothed scores');
    }
  }
  // Input that stops in the middle of speech: the end closes the segment.
  const stream = new StreamingRecognizer({
    sampleRate: 16000,
    classifier: new StubClassifier(),
    vad: new EnergyFrameVad(),
  });
  const cut = await run(stream, signal(16000).subarray(0, 5.5 * 16000), 1000);
  assert.deepEqual(
    cut.map((e) => e.reason),
    ['pause', 'end'],
  );
  assert.ok(Math.abs(cut[1].endS - 5.5) < 0.05);
});

test('interim events inside long segments, segments cut at the length cap, push after end refused', async () => {
  const rate = 16000;
  const y = new Float32Array(9 * rate);
  y.set(
    synthesizeSpeechLike({ durationS: 7, sampleRate: rate, seed: 4 }).map((v) => v * 1.2),
    rate,
  );
  // Fill the syllable gaps of the synthetic signal so the detector sees one long utterance.
  for (let i = rate; i < 8 * rate; i++) y[i] += 0.05 * Math.sin((2 * Math.PI * 150 * i) / rate);
  const classifier = new StubClassifier();
  const stream = new StreamingRecognizer({
    sampleRate: rate,
    classifier,
    vad: new EnergyFrameVad(),
    interimMs: 1000,
    interimWindowS: 2,
    maxSegmentMs: 3000,
  });
  const events = await run(stream, y, 1600);
  const segments = events.filter((e) => e.type === 'segment');
  const interims = events.filter((e) => e.type === 'interim');
  assert.ok(
    segments.length >= 3,
    `a 7 s utterance is cut into <= 3 s segments: ${JSON.stringify(segments.map((s) => [s.startS, s.endS, s.reason]))}`,
  );
  assert.ok(segments.every((s) => s.endS - s.startS <= 3.05));
  assert.ok(segments.some((s) => s.reason === 'max-length'));
  assert.ok(interims.length >= 3, `interim events: ${interims.length}`);
  assert.ok(
    interims.every((e) => e.durationS <= 2.05),
    'interim windows are at most interimWindowS long',
  );
  for (let i = 1; i < events.length; i++)
    assert.ok(events[i].endS >= events[i - 1].endS - 1e-9, 'events come in time order');
  await assert.rejects(stream.push(new Float32Array(10)), /push after end/);
  assert.deepEqual(await stream.end(), []);
});

test('non-finite samples and bad options are refused with clear errors', async () => {
  const classifier = new StubClassifier();
  assert.throws(
    () => new StreamingRecognizer({ sampleRate: 12.5, classifier, vad: new EnergyFrameVad() }),
    /sampleRate/,
  );
  assert.throws(
    () =>
      new StreamingRecognizer({ sampleRate: 16000, classifier, vad: new EnergyFrameVad(), maxSegmentMs: 10 }),
    /maxSegmentMs/,
  );
  const stream = new StreamingRecognizer({ sampleRate: 16000, classifier, vad: new EnergyFrameVad() });
  await assert.rejects(stream.push(Float32Array.of(0, NaN)), /not finite/);
  // The stream stays usable after a refused chunk.
  assert.deepEqual(await stream.push(new Float32Array(100)), []);
});

test(
  'the bundled model on a stream of real RAVDESS utterances (Silero VAD, 48 kHz input)',
  { skip: realDataSkip() },
  async () => {
    const dir = join(sharedDataDir()!, 'ravdess', 'Audio_Speech_Actors_01-24', 'Actor_05');
    const names = ['03-01-05-02-01-01-05', '03-01-04-02-02-01-05', '03-01-01-01-01-01-05'];
    const parts = await Promise.all(names.map((n) => loadAudio(join(dir, `${n}.flac`), { mono: true })));
    const rate = 48000;
    const gap = new Float32Array(rate);
    const y = new Float32Array(
      parts.reduce(
        (n, p) => n + gap.length + Math.round((p.samples.length * rate) / p.sampleRate),
        gap.length,
      ),
    );
    let at = gap.length;
    const starts: number[] = [];
    for (const p of parts) {
      const up = resample(p.samples, p.sampleRate, rate);
      starts.push(at / rate);
      y.set(up, at);
      at += up.length + gap.length;
    }
    for (const vad of ['silero', 'energy'] as const) {
      const stream = await createStreamingRecognizer({ sampleRate: rate, vad });
      const events = (await run(stream, y, 4800)).filter((e) => e.type === 'segment');
      assert.equal(events.length, 3, `${vad}: ${JSON.stringify(events.map((e) => [e.startS, e.endS]))}`);
      events.forEach((e, i) => {
        assert.ok(
          Math.abs(e.startS - starts[i]) < 1.2,
          `${vad}: segment ${i} starts at ${e.startS}, utterance at ${starts[i]}`,
        );
        assert.ok(Math.abs(Object.values(e.scores).reduce((a, b) => a + b, 0) - 1) < 1e-6);
        assert.equal(Object.keys(e.scores).length, 7);
      });
      assert.equal(stream.summary().segments, 3);
    }
  },
);
