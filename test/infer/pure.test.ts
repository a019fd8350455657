// The pure inference parts: calibrated scores, smoothing, streaming resampling, PCM decoding,
// the energy frame scorer and the speech segmenter. No model, no Node API involved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resample } from '../../src/audio/resample.js';
import { synthesizeSpeechLike } from '../../src/audio/synthetic.js';
import { applyTemperature } from '../../src/eval/calibration.js';
import { PcmStreamDecoder } from '../../src/infer/pcm-stream.js';
import {
  defaultLowConfidenceThreshold,
  scoresFromLogits,
  scoresFromProbabilities,
} from '../../src/infer/scores.js';
import { ScoreSmoother, smoothScores } from '../../src/infer/smoothing.js';
import { StreamResampler } from '../../src/infer/stream-resampler.js';
import { regionWindows } from '../../src/infer/timeline-core.js';
import { EnergyFrameVad, segmentWithFrameVad, SpeechSegmenter } from '../../src/infer/vad.js';

const labels = ['neutral', 'happy', 'sad'];

test('scores: temperature-scaled softmax equal to src/eval applyTemperature; the flag follows the threshold', () => {
  const logits = [2, 0.5, -1];
  for (const temperature of [0.5, 1, 1.7]) {
    const r = scoresFromLogits(logits, labels, { temperature, lowConfidenceBelow: 0.9 });
    const p = applyTemperature(Float32Array.from(logits), 3, temperature);
    labels.forEach((l, i) => assert.ok(Math.abs(r.scores[l] - p[i]) < 1e-6));
    assert.equal(r.label, 'neutral');
    assert.equal(r.confidence, r.scores.neutral);
    assert.equal(r.lowConfidence, r.confidence < 0.9);
  }
  // A higher temperature flattens: confidence falls.
  const sharp = scoresFromLogits(logits, labels, { temperature: 0.5, lowConfidenceBelow: 0 });
  const flat = scoresFromLogits(logits, labels, { temperature: 2, lowConfidenceBelow: 0 });
  assert.ok(sharp.confidence > flat.confidence);
  assert.throws(
    () => scoresFromLogits([1, 2], labels, { temperature: 1, lowConfidenceBelow: 0 }),
    /2 logits for 3 labels/,
  );
  assert.throws(
    () => scoresFromLogits([1, NaN, 2], labels, { temperature: 1, lowConfidenceBelow: 0 }),
    /not finite/,
  );
  assert.ok(Math.abs(defaultLowConfidenceThreshold(7) - (1 / 7 + 6 / 28)) < 1e-12);
  assert.equal(defaultLowConfidenceThreshold(2), 0.5);
  const fromP = scoresFromProbabilities({ neutral: 1, happy: 3, sad: 0 }, labels, 0.8);
  assert.deepEqual([fromP.label, fromP.confidence, fromP.lowConfidence], ['happy', 0.75, true]);
});

test('smoothing: neighbours pull a lone outlier back; far spans and tau 0 keep their own scores', () => {
  const span = (startS: number, p: number[]) => ({
    startS,
    endS: startS + 2,
    scores: Object.fromEntries(labels.map((l, i) => [l, p[i]])),
  });
  const spans = [
    span(0, [0.8, 0.1, 0.1]),
    span(2, [0.2, 0.7, 0.1]),
    span(4, [0.8, 0.1, 0.1]),
    span(100, [0.1, 0.1, 0.8]),
  ];
  const s = smoothScores(spans, labels, 2);
  assert.ok(s[1].neutral > s[1].happy, 'the outlier in the middle is smoothed towards its neighbours');
  assert.deepEqual(s[3], spans[3].scores);
  for (const row of s) assert.ok(Math.abs(labels.reduce((a, l) => a + row[l], 0) - 1) < 1e-9);
  assert.deepEqual(smoothScores(spans, labels, 0)[1], spans[1].scores);
  const causal = new ScoreSmoother(labels, 4);
  causal.push(spans[0]);
  const second = causal.push(spans[1]);
  assert.ok(second.happy < 0.7 && second.happy > 0.1);
  causal.push(spans[3]); // 96 s later: the history has decayed away
  assert.ok(Math.abs(causal.push({ ...spans[3], startS: 200, endS: 202 }).sad - 0.8) < 1e-6);
});

test('stream resampler: any chunking gives the same output, close to the batch resampler', () => {
  const y = synthesizeSpeechLike({ durationS: 1, sampleRate: 44100, seed: 2 });
  const run = (chunks: number[]) => {
    const r = new StreamResampler(44100, 16000);
    const parts: Float32Array[] = [];
    let at = 0;
    for (let i = 0; at < y.length; i++) {
      const n = chunks[i % chunks.length];
      parts.push(r.push(y.subarray(at, at + n)));
      at += n;
    }
    parts.push(r.flush());
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let k = 0;
    for (const p of parts) {
      out.set(p, k);
      k += p.length;
    }
    return out;
  };
  const a = run([1]);
  const b = run([4096]);
  const c = run([7, 1000, 333, 1]);
  assert.equal(a.length, Math.floor((y.length * 16000) / 44100));
  assert.deepEqual(b, a);
  assert.deepEqual(c, a);
  const batch = resample(y, 44100, 16000);
  let err = 0;
  let sig = 0;
  for (let i = 100; i < a.length - 100; i++) {
    err += (a[i] - batch[i]) ** 2;
    sig += batch[i] ** 2;
  }
  const snrDb = 10 * Math.log10(sig / err);
  assert.ok(snrDb > 40, `stream vs batch resampling SNR ${snrDb.toFixed(1)} dB`);
  const same = new StreamResampler(16000, 16000);
  assert.deepEqual(same.push(Float32Array.of(1, 2)), Float32Array.of(1, 2));
  assert.throws(() => new StreamResampler(0, 16000), /input rate/);
});

test('PCM decoder: s16le and f32le, channels averaged, frames split across chunks', () => {
  const s16 = new PcmStreamDecoder('s16le', 2);
  const bytes = new Uint8Array(new Int16Array([16384, -16384, 32767, 32767, -32768, 0]).buffer);
  const first = s16.decode(bytes.subarray(0, 5)); // one frame + 1 byte
  assert.deepEqual([...first], [0]);
  assert.equal(s16.pending, 1);
  const rest = s16.decode(bytes.subarray(5));
  assert.deepEqual([...rest], [32767 / 32768, -0.5]);
  const f32 = new PcmStreamDecoder('f32le', 1);
  const out = f32.decode(new Uint8Array(Float32Array.of(0.25, NaN, -1).buffer));
  assert.deepEqual([...out], [0.25, 0, -1]);
  assert.equal(f32.nonFinite, 1);
  assert.throws(() => new PcmStreamDecoder('s24le' as never, 1), /s16le or f32le/);
  assert.throws(() => new PcmStreamDecoder('s16le', 0), /channels/);
});

test('segmenter: hysteresis, redemption, minimum speech, pads, length cap, end of input', () => {
  // 32 ms frames: 20 speech frames, 5 quiet (under the 400 ms redemption), 20 speech, 30 quiet.
  const probs = [
    ...Array(10).fill(0),
    ...Array(20).fill(0.9),
    ...Array(5).fill(0.1),
    ...Array(20).fill(0.9),
    ...Array(30).fill(0.05),
  ];
  const seg = new SpeechSegmenter(32, { prePadMs: 64, postPadMs: 64 });
  const closed = probs.map((p) => seg.push(p)).filter((s) => s !== undefined);
  assert.deepEqual(closed, [{ startFrame: 8, endFrame: 57, reason: 'pause' }]);
  assert.equal(seg.end(), undefined);
  // A blip shorter than minSpeechMs is dropped.
  const blip = new SpeechSegmenter(32, { minSpeechMs: 250 });
  const out = [...Array(3).fill(0.9), ...Array(40).fill(0)].map((p) => blip.push(p)).filter(Boolean);
  assert.deepEqual(out, []);
  // Continuous speech is cut at maxSegmentMs and goes on; the end of input closes the rest.
  const long = new SpeechSegmenter(32, { maxSegmentMs: 320, prePadMs: 0 });
  const pieces = Array(25)
    .fill(0.9)
    .map((p) => long.push(p))
    .filter((s) => s !== undefined);
  assert.deepEqual(pieces, [
    { startFrame: 0, endFrame: 10, reason: 'max-length' },
    { startFrame: 10, endFrame: 20, reason: 'max-length' },
  ]);
  assert.deepEqual(long.end(), { startFrame: 20, endFrame: 25, reason: 'end' });
});

test('energy frame scorer + segmenter find bursts of speech-like sound in silence and in steady noise', async () => {
  const rate = 16000;
  const burst = synthesizeSpeechLike({ durationS: 1.5, sampleRate: rate, seed: 9 });
  for (const noise of [0, 0.003]) {
    const y = new Float32Array(rate * 6);
    let seed = 1;
    for (let i = 0; i < y.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      y[i] = noise * (seed / 2 ** 31 - 0.5);
    }
    for (const at of [1, 4]) for (let i = 0; i < burst.length; i++) y[at * rate + i] += burst[i];
    const regions = await segmentWithFrameVad(y, new EnergyFrameVad(), {});
    assert.equal(regions.length, 2, `noise ${noise}: ${JSON.stringify(regions)}`);
    assert.ok(
      Math.abs(regions[0].startS - 1) < 0.3 && Math.abs(regions[0].endS - 2.5) < 0.6,
      JSON.stringify(regions),
    );
    assert.ok(
      Math.abs(regions[1].startS - 4) < 0.3 && Math.abs(regions[1].endS - 5.5) < 0.6,
      JSON.stringify(regions),
    );
  }
  assert.deepEqual(await segmentWithFrameVad(new Float32Array(rate * 2), new EnergyFrameVad()), []);
});

test('timeline windows: short regions whole, long ones windowed with the last window at the end', () => {
  assert.deepEqual(regionWindows({ startS: 1, endS: 4 }, 3, 1.5), [{ startS: 1, endS: 4 }]);
  const w = regionWindows({ startS: 0, endS: 10 }, 3, 1.5);
  assert.deepEqual(w[0], { startS: 0, endS: 3 });
  assert.deepEqual(w[w.length - 1], { startS: 7, endS: 10 });
  for (let i = 1; i < w.length; i++) assert.ok(w[i].startS > w[i - 1].startS);
});
