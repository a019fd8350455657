import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/data.js';

test('emovox demo runs the pipeline on a synthesised utterance and reports sensible values', (t) => {
  const out = mkdtempSync(join(tmpdir(), 'emovox-demo-test-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const stdout = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'demo', '--out', out, '--json'],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as {
    audio: { sampleRate: number; frames: number; durationS: number };
    mfcc40: { frames: number; bins: number };
    vector180: { length: number };
    prosody: { f0SemitoneMean: number; voicedRatio: number };
    image: string;
  };
  assert.equal(summary.audio.sampleRate, 16000);
  assert.equal(summary.audio.frames, 48000);
  // 1 + floor(48000 / 512) centred frames.
  assert.deepEqual(summary.mfcc40, { frames: 94, bins: 40 });
  assert.equal(summary.vector180.length, 180);
  // The synthesised f0 contour oscillates around 140 Hz: 12 * log2(140 / 27.5) = 28.17 semitones.
  assert.ok(Math.abs(summary.prosody.f0SemitoneMean - 28.17) < 1, `f0 ${summary.prosody.f0SemitoneMean}`);
  assert.ok(summary.prosody.voicedRatio > 0.4 && summary.prosody.voicedRatio < 0.95);
  const png = readFileSync(summary.image);
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
});
