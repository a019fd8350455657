import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/data.js';

const fixtures = join(repoRoot, 'test', 'fixtures', 'audio');

function emovox(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
}

test('emovox info: one line per good file, "path: problem" on stderr for bad ones, exit 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-info-'));
  try {
    const bad = join(dir, 'bad.wav');
    writeFileSync(bad, 'not audio at all');
    const flac = join(fixtures, 'sine440_s16.flac');
    const aiff = join(fixtures, 'aiff_named_as.wav');
    const run = emovox('info', flac, bad, aiff);
    assert.equal(run.status, 1);
    const lines = run.stdout.trim().split('\n');
    assert.deepEqual(lines, [
      `${flac}: flac 16-bit, 16000 Hz, 1 ch, 4800 frames, 0.300 s`,
      `${aiff}: aiff/pcm_s16be 16-bit, 16000 Hz, 1 ch, 4800 frames, 0.300 s`,
    ]);
    assert.match(run.stderr, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `, 'm'));

    const json = emovox('info', '--json', flac, join(dir, 'missing.wav'));
    assert.equal(json.status, 1);
    const parsed = JSON.parse(json.stdout) as {
      files: Array<Record<string, unknown>>;
      errors: Array<{ path: string; error: string }>;
    };
    assert.equal(parsed.files.length, 1);
    assert.deepEqual(
      [
        parsed.files[0].path,
        parsed.files[0].format,
        parsed.files[0].sampleRate,
        parsed.files[0].frames,
        parsed.files[0].durationS,
      ],
      [flac, 'flac', 16000, 4800, 0.3],
    );
    assert.match(parsed.errors[0].error, /missing\.wav: file not found/);

    const ok = emovox('info', flac);
    assert.equal(ok.status, 0);
    assert.equal(ok.stderr.replace(/npm warn.*\n?/g, ''), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
