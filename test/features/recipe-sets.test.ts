// The two feature sets added for the training recipes: prosody-frames and spectral-functionals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { synthesizeSpeechLike } from '../../src/audio/index.js';
import { featureFunction, featureSpec } from '../../src/features/index.js';

const sr = 16000;

function tone(hz: number, seconds: number): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * sr) },
    (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / sr),
  );
}

test('prosody-frames: frames aligned with mfcc40, energy in dB, F0 in semitones above 55 Hz, voicing', async () => {
  const y = tone(220, 1);
  const prosody = (await featureFunction(featureSpec('prosody-frames'))(y, sr)).matrix!;
  const mfcc = (await featureFunction(featureSpec('mfcc40'))(y, sr)).matrix!;
  assert.equal(prosody.bins, 3);
  assert.equal(prosody.frames, mfcc.frames);
  const mid = Math.floor(prosody.frames / 2);
  const [energyDb, semitones, voiced] = prosody.data.subarray(mid * 3, mid * 3 + 3);
  // RMS of a 0.5-amplitude sine is 0.354 -> -9 dB; 220 Hz is two octaves above 55 Hz.
  assert.ok(Math.abs(energyDb - 20 * Math.log10(0.5 / Math.SQRT2)) < 0.5, `energy ${energyDb}`);
  assert.ok(Math.abs(semitones - 24) < 0.3, `f0 ${semitones} semitones`);
  assert.ok(voiced > 0.5 && voiced <= 1, `voiced ${voiced}`);
  const silence = (await featureFunction(featureSpec('prosody-frames'))(new Float32Array(sr / 2), sr))
    .matrix!;
  assert.ok(
    silence.data.every((v, i) => (i % 3 === 1 ? v === 0 : Number.isFinite(v))),
    'unvoiced F0 is 0',
  );
});

test('spectral-functionals: 208 named, finite values that tell a tone from speech-like sound', async () => {
  const fn = featureFunction(featureSpec('spectral-functionals'));
  const a = await fn(tone(440, 1), sr);
  const b = await fn(synthesizeSpeechLike({ durationS: 1 }), sr);
  assert.equal(a.vector!.length, 208);
  assert.equal(a.names!.length, 208);
  assert.equal(a.names![0], 'centroid_mean');
  assert.ok(a.vector!.every(Number.isFinite) && b.vector!.every(Number.isFinite));
  const centroid = a.names!.indexOf('centroid_mean');
  assert.ok(Math.abs(a.vector![centroid] - 440) < 60, `tone centroid ${a.vector![centroid]}`);
  assert.notDeepEqual(a.vector, b.vector);
});
