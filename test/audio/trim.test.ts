import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectVoice, nonSilentFrames, split, trim } from '../../src/audio/index.js';
import { repoRoot } from '../helpers/data.js';

interface Segment {
  n: number;
  kind: 'zero' | 'saw';
  a0?: number;
  a1?: number;
  period?: number;
}
interface GoldenCase {
  signal: string;
  top_db: number;
  frame_length: number;
  hop_length: number;
  ref?: number;
  n: number;
  nonsilent: string;
  trim: [number, number];
  split: Array<[number, number]>;
}
const golden = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/audio/trim_golden.json'), 'utf8')) as {
  signals: Record<string, Segment[]>;
  cases: GoldenCase[];
};

/** Same recipe as reference/audio_trim_reference.py make_signal (float64, then float32). */
function makeSignal(segments: Segment[]): Float32Array {
  const values: number[] = [];
  for (const s of segments) {
    for (let i = 0; i < s.n; i++) {
      if (s.kind === 'zero') values.push(0);
      else {
        const amp = s.a0! + ((s.a1! - s.a0!) * i) / s.n;
        values.push(amp * (((i % s.period!) / (s.period! - 1)) * 2 - 1));
      }
    }
  }
  return Float32Array.from(values);
}

for (const c of golden.cases) {
  const label = `${c.signal} top_db=${c.top_db} frame=${c.frame_length} hop=${c.hop_length}${c.ref ? ` ref=${c.ref}` : ''}`;
  test(`trim/split match the numpy port of librosa: ${label}`, () => {
    const y = makeSignal(golden.signals[c.signal]);
    assert.equal(y.length, c.n);
    const options = {
      topDb: c.top_db,
      frameLength: c.frame_length,
      hopLength: c.hop_length,
      ...(c.ref ? { ref: c.ref } : {}),
    };
    assert.equal(Array.from(nonSilentFrames(y, options)).join(''), c.nonsilent);
    const t = trim(y, options);
    assert.deepEqual([t.start, t.end], c.trim);
    assert.deepEqual(t.trimmed, y.slice(c.trim[0], c.trim[1]));
    assert.deepEqual(split(y, options), c.split);
  });
}

test('trim defaults are librosa defaults (top_db 60, 2048 / 512) and validate options', () => {
  const y = makeSignal(golden.signals.tone_in_silence);
  const c = golden.cases[0];
  assert.deepEqual([trim(y).start, trim(y).end], c.trim);
  assert.throws(() => trim(y, { hopLength: 0 }), /hopLength/);
  assert.throws(() => split(new Float32Array(0)), /empty signal/);
  assert.throws(() => trim(y, { topDb: -1 }), /topDb/);
});

function noise(n: number, amp: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return amp * ((s / 2 ** 32) * 2 - 1);
  });
}

test('detectVoice finds tone bursts in noise within one frame of the truth', () => {
  const sr = 16000;
  const y = noise(3 * sr, 0.003, 7); // ~ -55 dBFS floor
  const bursts = [
    [0.5, 1.1],
    [1.8, 2.4],
  ];
  for (const [a, b] of bursts) {
    for (let i = Math.round(a * sr); i < Math.round(b * sr); i++)
      y[i] += 0.3 * Math.sin((2 * Math.PI * 220 * i) / sr);
  }
  const segments = detectVoice(y, sr);
  assert.equal(segments.length, 2);
  segments.forEach((s, k) => {
    assert.ok(Math.abs(s.startS - (bursts[k][0] - 0.03)) <= 0.03, `start ${s.startS}`);
    assert.ok(Math.abs(s.endS - (bursts[k][1] + 0.03)) <= 0.03, `end ${s.endS}`);
  });
  // A 150 ms pause is bridged (minSilenceMs 200), a 30 ms click is dropped (minSpeechMs 100).
  const z = noise(2 * sr, 0.003, 9);
  for (let i = 8000; i < 24000; i++) if (i < 12000 || i >= 14400) z[i] += 0.3 * Math.sin(i / 3);
  for (let i = 28000; i < 28480; i++) z[i] += 0.5;
  const merged = detectVoice(z, sr);
  assert.equal(merged.length, 1);
  assert.ok(merged[0].end < 26000);
  assert.deepEqual(detectVoice(new Float32Array(sr), sr), []);
  assert.deepEqual(detectVoice(noise(sr, 0.01, 3), sr), [], 'stationary noise alone is not voice');
});
