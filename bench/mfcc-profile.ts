// MFCC hot-path throughput, in seconds of audio per CPU-second (process.cpuUsage, one thread).
//
//   node --import tsx bench/mfcc-profile.ts [--seconds 60] [--reps 10] [--rounds 5] [--compare DIR]
//   node --cpu-prof --import tsx bench/mfcc-profile.ts      (then read the .cpuprofile's self times)
//
// Runs mfcc(y, 16000, { nMfcc: 40, nFft: 2048, hopLength: 512, nMels: 128 }) (Slaney mels,
// power 2, top_db 80, orthonormal DCT-II, centred zero padding: the project's benchmark setting)
// on `--seconds` of deterministic noise, `--reps` times per round, and prints the median over
// `--rounds` rounds. `--compare DIR` also loads DIR/src/features/mel.ts (e.g. a copy of an older
// tree) and alternates the two round by round, so an A/B comparison on a busy machine sees the
// same load; it also prints the largest difference between the two outputs.
// torchaudio 0.13 reference at 1 thread (same settings): see docs/features.md "Performance".
import '../src/dsp/pffft-node.js'; // PFFFT as in the Node entry
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mfcc } from '../src/features/mel.js';

type Mfcc = typeof mfcc;

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const seconds = Number(flag('--seconds', '60'));
const reps = Number(flag('--reps', '10'));
const rounds = Number(flag('--rounds', '5'));
const compareDir = flag('--compare', '');
const sr = 16000;
const options = { nMfcc: 40, nFft: 2048, hopLength: 512, nMels: 128 };

// deterministic pseudo-random noise at about -20 dBFS (LCG; no dependency on Math.random)
const y = new Float32Array(seconds * sr);
let state = 12345;
for (let i = 0; i < y.length; i++) {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  y[i] = (state / 2 ** 32 - 0.5) * 0.2;
}

const variants: { name: string; fn: Mfcc }[] = [{ name: 'current', fn: mfcc }];
if (compareDir !== '') {
  // trees with src/dsp load PFFFT through their own Node loader (older trees load it themselves)
  const loader = resolve(compareDir, 'src/dsp/pffft-node.ts');
  if (existsSync(loader)) await import(pathToFileURL(loader).href);
  const url = pathToFileURL(resolve(compareDir, 'src/features/mel.ts')).href;
  const other = (await import(url)) as { mfcc: Mfcc };
  variants.push({ name: `compare (${compareDir})`, fn: other.mfcc });
  const a = mfcc(y, sr, options).data;
  const b = other.mfcc(y, sr, options).data;
  let maxAbs = 0;
  let maxRef = 0;
  for (let i = 0; i < a.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
    maxRef = Math.max(maxRef, Math.abs(b[i]));
  }
  console.log(`max |current - compare| = ${maxAbs.toExponential(3)} (max |value| ${maxRef.toFixed(2)})`);
}

for (const v of variants) for (let i = 0; i < 2; i++) v.fn(y, sr, options); // JIT warm-up

const results = variants.map(() => [] as number[]);
for (let r = 0; r < rounds; r++) {
  for (let vi = 0; vi < variants.length; vi++) {
    const before = process.cpuUsage();
    for (let i = 0; i < reps; i++) variants[vi].fn(y, sr, options);
    const used = process.cpuUsage(before);
    const cpuSeconds = (used.user + used.system) / 1e6;
    results[vi].push((seconds * reps) / cpuSeconds);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
};
for (let vi = 0; vi < variants.length; vi++) {
  const rs = results[vi];
  const frames = Math.floor((seconds * sr) / options.hopLength) + 1;
  const m = median(rs);
  const usPerFrame = ((seconds * 1e6) / m / frames).toFixed(2);
  console.log(
    `${variants[vi].name}: median ${m.toFixed(0)} s/s (${usPerFrame} us/frame), rounds ${rs.map((x) => x.toFixed(0)).join(' ')}`,
  );
}
