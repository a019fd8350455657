// tonnetz against the numpy port of librosa 0.11 (reference/features_golden.py), on chroma_stft
// of the signal (the default) and on vector180's |STFT| chroma.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chromaStft, spectrogram, tonnetz, TONNETZ_NAMES } from '../../src/features/index.js';
import { EmovoxInputError } from '../../src/util/errors.js';
import { golden, relError, signal } from './golden.js';

for (const name of ['chirp', 'tone_noise', 'vowel', 'stress']) {
  test(`tonnetz matches librosa on ${name} (chroma_stft of y, and of |STFT|)`, () => {
    const { y, sr } = signal(name);
    const t = tonnetz(y, sr);
    assert.equal(t.bins, 6);
    assert.ok(
      relError(t, golden(`${name}_tonnetz`)) < 1e-4,
      `default ${relError(t, golden(`${name}_tonnetz`))}`,
    );
    const chroma = chromaStft(null, sr, { S: spectrogram(y) });
    const tm = tonnetz(null, sr, { chroma });
    assert.ok(relError(tm, golden(`${name}_tonnetz_mag`)) < 1e-4, 'magnitude chroma');
  });
}

test('tonnetz of a single pitch class is its point on each circle', () => {
  // C only: fifths at angle -pi/2 (sin 0 = 0, cos 0 = 1), minor third and major third likewise
  const chroma = { data: new Float32Array(12), frames: 1, bins: 12 };
  chroma.data[0] = 0.7;
  const t = tonnetz(null, 22050, { chroma }).data;
  const expected = [0, 1, 0, 1, 0, 0.5]; // R cos(pi (0 - 0.5)) = 0, R cos(0) = R
  for (let p = 0; p < 6; p++) assert.ok(Math.abs(t[p] - expected[p]) < 1e-7, `${TONNETZ_NAMES[p]}`);
  // G (7 semitones): a fifth away from C, the next point on the circle of fifths
  chroma.data.fill(0);
  chroma.data[7] = 1;
  const g = tonnetz(null, 22050, { chroma }).data;
  assert.ok(Math.abs(g[0] - Math.cos(Math.PI * ((7 * 7) / 6 - 0.5))) < 1e-6);
  // silence (all zero) stays zero instead of dividing by zero
  assert.deepEqual(
    Array.from(tonnetz(null, 22050, { chroma: { data: new Float32Array(12), frames: 1, bins: 12 } }).data),
    [0, 0, 0, 0, 0, 0],
  );
  assert.throws(() => tonnetz(null, 22050), EmovoxInputError);
  assert.throws(
    () => tonnetz(null, 22050, { chroma: { data: Float32Array.of(NaN, 0), frames: 1, bins: 2 } }),
    /finite/,
  );
});
