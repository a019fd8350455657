// vector180 of this tree against another copy of the tree, on the same real clips: largest
// differences and CPU speed, interleaved round by round so both see the same machine load.
//
//   node --import tsx bench/vector180-compare.ts --compare DIR [--files 60] [--rounds 3] [--data DIR]
//
// DIR is another checkout (e.g. `git worktree add /tmp/old <commit>`, or
// `git archive <commit> src | tar -x -C /tmp/old`, with node_modules beside it). Clips: N
// RAVDESS files evenly spaced over ../shared/data/ravdess (or $EMOVOX_DATA), resampled to
// 22 050 Hz once, not timed; synthetic speech-like clips when the corpus is absent.
import '../src/dsp/pffft-node.js'; // PFFFT as in the Node entry
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadAudio, synthesizeSpeechLike } from '../src/audio/index.js';
import { collectAudioFiles } from '../src/extract/extract-files.js';
import { vector180 } from '../src/features/vector180.js';

type Vector180 = typeof vector180;

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const compareDir = flag('--compare', '');
if (compareDir === '') throw new Error('--compare DIR is required');
const fileCount = Number(flag('--files', '60'));
const rounds = Number(flag('--rounds', '3'));
const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = flag('--data', process.env.EMOVOX_DATA ?? resolve(root, '..', 'shared', 'data'));

const loader = resolve(compareDir, 'src/dsp/pffft-node.ts');
if (existsSync(loader)) await import(pathToFileURL(loader).href);
const other = (await import(pathToFileURL(resolve(compareDir, 'src/features/vector180.ts')).href)) as {
  vector180: Vector180;
};

const sr = 22050;
const clips: Float32Array[] = [];
if (existsSync(join(dataDir, 'ravdess'))) {
  const files = collectAudioFiles([join(dataDir, 'ravdess')]);
  const step = files.length / fileCount;
  for (let i = 0; i < fileCount; i++)
    clips.push((await loadAudio(files[Math.floor(i * step)], { sr })).samples);
} else {
  for (let i = 0; i < fileCount; i++)
    clips.push(
      synthesizeSpeechLike({ sampleRate: sr, durationS: 3.5, seed: i, f0Hz: 100 + ((i * 37) % 150) }),
    );
}
const seconds = clips.reduce((s, c) => s + c.length, 0) / sr;

let maxAbs = 0;
let maxRel = 0;
for (const y of clips) {
  const a = vector180(y, sr).values;
  const b = other.vector180(y, sr).values;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    maxAbs = Math.max(maxAbs, d);
    if (b[i] !== 0) maxRel = Math.max(maxRel, d / Math.abs(b[i]));
  }
}
console.log(
  `${clips.length} clips, ${seconds.toFixed(1)} s: max |current - compare| ${maxAbs.toExponential(2)}, ` +
    `max relative ${maxRel.toExponential(2)}`,
);

const cpu = (fn: Vector180): number => {
  const start = process.cpuUsage();
  for (const y of clips) fn(y, sr);
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
};
for (let r = 0; r < rounds; r++) {
  const b = cpu(other.vector180);
  const a = cpu(vector180);
  console.log(
    `round ${r + 1}: current ${(seconds / a).toFixed(0)}x, compare ${(seconds / b).toFixed(0)}x real time ` +
      `per core (CPU time); speed-up ${(b / a).toFixed(2)}`,
  );
}
