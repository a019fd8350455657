// Real speech (RAVDESS, ../shared/data): prosodic features behave as the speech literature
// says (angry vs neutral: higher F0, louder, flatter spectrum; male vs female F0 ranges), and the
// 22 050 Hz recipe runs on resampled real audio. Skips when the corpora are absent.
import '../../src/dsp/pffft-node.js'; // PFFFT as in the Node entry
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadAudio, resample } from '../../src/audio/index.js';
import { mfcc, prosodicFeatures, PROSODIC_NAMES, pyin, vector180 } from '../../src/features/index.js';
import { realDataSkip, sharedDataDir } from '../helpers/data.js';

const ACTORS = ['01', '02', '03', '04', '05', '06']; // odd = male, even = female

function ravdess(actor: string, emotion: string, intensity: string): string {
  const dir = join(sharedDataDir() ?? '', 'ravdess', 'Audio_Speech_Actors_01-24', `Actor_${actor}`);
  return join(dir, `03-01-${emotion}-${intensity}-01-01-${actor}.flac`);
}

const pick = (v: { values: Float32Array }, name: (typeof PROSODIC_NAMES)[number]): number =>
  v.values[PROSODIC_NAMES.indexOf(name)];

test(
  'prosodic features separate angry from neutral speech and male from female pitch (RAVDESS)',
  { skip: realDataSkip() },
  async () => {
    for (const actor of ACTORS) {
      const neutral = await loadAudio(ravdess(actor, '01', '01'));
      const angry = await loadAudio(ravdess(actor, '05', '02'));
      const n = prosodicFeatures(neutral.samples, neutral.sampleRate);
      const a = prosodicFeatures(angry.samples, angry.sampleRate);
      assert.ok(n.values.every(Number.isFinite) && a.values.every(Number.isFinite));
      const f0Hz = 27.5 * 2 ** (pick(n, 'f0SemitoneMean') / 12);
      const male = Number(actor) % 2 === 1;
      assert.ok(
        male ? f0Hz > 70 && f0Hz < 200 : f0Hz > 150 && f0Hz < 320,
        `actor ${actor} neutral F0 ${f0Hz} Hz`,
      );
      assert.ok(pick(a, 'f0SemitoneMean') > pick(n, 'f0SemitoneMean'), `actor ${actor}: angry F0 not higher`);
      assert.ok(
        pick(a, 'loudnessProxyDbMean') > pick(n, 'loudnessProxyDbMean'),
        `actor ${actor}: angry not louder`,
      );
      assert.ok(
        pick(a, 'alphaRatioDb') < pick(n, 'alphaRatioDb'),
        `actor ${actor}: angry spectrum not flatter`,
      );
      const voiced = pick(n, 'voicedRatio');
      assert.ok(voiced > 0.1 && voiced < 0.9, `voiced ratio ${voiced}`);
    }
  },
);

test(
  'vector180 (after resampling to 22 050 Hz), MFCC and pyin run on real files',
  { skip: realDataSkip() },
  async () => {
    const audio = await loadAudio(ravdess('01', '03', '01'));
    const y22 = resample(audio.samples, audio.sampleRate, 22050);
    const v = vector180(y22, 22050);
    assert.equal(v.values.length, 180);
    assert.ok(v.values.every(Number.isFinite));
    const m = mfcc(audio.samples, audio.sampleRate, { nMfcc: 40 });
    assert.equal(m.frames, 1 + Math.floor(audio.samples.length / 512));
    const p = pyin(audio.samples, audio.sampleRate, { fmax: 1000, frameLength: 1024 });
    const voicedF0 = Array.from(p.f0).filter((f) => !Number.isNaN(f));
    assert.ok(voicedF0.length > 10);
    assert.ok(voicedF0.every((f) => f >= 65 && f <= 1000));
  },
);
