// Where a feature set spends its CPU time, decoding excluded.
//
//   node --import tsx bench/features-profile.ts [set] [--files N] [--reps R] [--out FILE.cpuprofile]
//
// Decodes N RAVDESS files (or synthetic tones without ../shared/data) at the set's sample rate,
// then profiles only the feature computation with the V8 sampling profiler (node:inspector) and
// prints the functions with the most self time. Open the .cpuprofile in Chrome DevTools for the
// call tree. Numbers from tsx-run sources carry TypeScript function names; line numbers refer to
// tsx's transpiled output.
import '../src/dsp/pffft-node.js'; // PFFFT as in the Node entry
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAudio } from '../src/audio/index.js';
import { collectAudioFiles } from '../src/extract/extract-files.js';
import { featureSpec } from '../src/features/sets.js';
import { syncFeatureFunction } from './sync-feature.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const setName = argv[0] && !argv[0].startsWith('--') ? argv[0] : 'mfcc40';
const fileCount = Number(flag('--files', '30'));
const reps = Number(flag('--reps', '4'));
const outPath = flag('--out', '');

const spec = featureSpec(setName);
const sr = spec.params.sampleRate;
const dataDir = process.env.EMOVOX_DATA ?? resolve(root, '..', 'shared', 'data');
let clips: Float32Array[];
try {
  const files = collectAudioFiles([join(dataDir, 'ravdess')]);
  const step = files.length / fileCount;
  clips = [];
  for (let i = 0; i < fileCount; i++)
    clips.push((await loadAudio(files[Math.floor(i * step)], { sr })).samples);
} catch {
  clips = Array.from({ length: fileCount }, (_, c) =>
    Float32Array.from({ length: 3 * sr }, (_, i) => 0.2 * Math.sin((2 * Math.PI * (120 + 10 * c) * i) / sr)),
  );
}
const audioSeconds = (reps * clips.reduce((s, c) => s + c.length, 0)) / sr;
const fn = syncFeatureFunction(spec);
for (const y of clips.slice(0, 3)) fn(y, sr); // warm-up: JIT, filterbanks

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
await session.post('Profiler.start');
const cpu0 = process.cpuUsage();
for (let r = 0; r < reps; r++) for (const y of clips) fn(y, sr);
const cpu = process.cpuUsage(cpu0);
const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
session.disconnect();

const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(
  `${setName}: ${audioSeconds.toFixed(1)} s of audio in ${cpuSeconds.toFixed(3)} s CPU = ` +
    `${(audioSeconds / cpuSeconds).toFixed(0)}x real time per core`,
);
const byNode = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
const selfTime = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const node = byNode.get(id)!;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^.*\/(src|node_modules)\//, '$1/')}:${lineNumber + 1}` : '';
  const key = `${functionName || '(anonymous)'} ${where}`.trim();
  const dt = profile.timeDeltas[i] ?? 0;
  selfTime.set(key, (selfTime.get(key) ?? 0) + dt);
  total += dt;
});
console.log('self time  function');
for (const [key, t] of [...selfTime].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
  console.log(`${((100 * t) / total).toFixed(1).padStart(5)} %   ${key}`);
}
if (outPath) {
  writeFileSync(outPath, JSON.stringify(profile));
  console.log(`profile written to ${outPath}`);
}
