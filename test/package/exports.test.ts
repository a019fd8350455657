import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDistSkip } from '../helpers/build.js';
import { repoRoot } from '../helpers/data.js';

// Plain Node (no tsx): what a user's project sees after `npm run build`.
const probe = `
import * as emovox from 'emovox';
const names = ['loadAudio', 'mfcc', 'vector180', 'loadCorpus', 'exportOnnx', 'EmotionSession', 'EmovoxInputError'];
const missing = names.filter((n) => typeof emovox[n] !== 'function');
const y = emovox.synthesizeSpeechLike({ durationS: 1 });
const m = emovox.mfcc(y, 16000, { nMfcc: 13 });
console.log(JSON.stringify({ missing, frames: m.frames, bins: m.bins }));
`;

function runProbe(cwd: string): { missing: string[]; frames: number; bins: number } {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout.trim()) as { missing: string[]; frames: number; bins: number };
}

test(
  "import from 'emovox' works inside the repository (package self-reference)",
  { skip: freshDistSkip() },
  () => {
    assert.deepEqual(runProbe(repoRoot), { missing: [], frames: 32, bins: 13 });
  },
);

test("import from 'emovox' works from a dependent project", { skip: freshDistSkip() }, (t) => {
  const project = mkdtempSync(join(tmpdir(), 'emovox-dependent-'));
  t.after(() => rmSync(project, { recursive: true, force: true }));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'app', type: 'module', private: true }),
  );
  mkdirSync(join(project, 'node_modules'));
  // What `npm install ../emovox` makes: a link to the package folder.
  symlinkSync(repoRoot, join(project, 'node_modules', 'emovox'), 'dir');
  assert.deepEqual(runProbe(project), { missing: [], frames: 32, bins: 13 });
});
