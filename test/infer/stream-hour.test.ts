// An hour of audio through the streaming recogniser with the bundled model: memory must stay
// flat. Runs in a child process with --expose-gc so the heap can be measured after a full
// collection at 10 and at 60 minutes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/data.js';

const url = (path: string) => JSON.stringify(pathToFileURL(join(repoRoot, path)).href);

const script = `
const { synthesizeSpeechLike } = await import(${url('src/audio/synthetic.ts')});
const { createStreamingRecognizer } = await import(${url('src/infer/recognizer.ts')});
const rate = 16000;
// A 6 s pattern: 2.5 s and 1.5 s utterances with pauses; each repetition is scaled a little
// differently so the model sees varied input, and chunks are of irregular sizes.
const pattern = new Float32Array(6 * rate);
pattern.set(synthesizeSpeechLike({ durationS: 2.5, sampleRate: rate, seed: 1 }), Math.round(0.5 * rate));
pattern.set(synthesizeSpeechLike({ durationS: 1.5, sampleRate: rate, seed: 2, f0Hz: 210 }), Math.round(3.6 * rate));
const stream = await createStreamingRecognizer({ sampleRate: rate, vad: 'energy', interimMs: 1000 });
const heap = () => { globalThis.gc(); globalThis.gc(); return process.memoryUsage().heapUsed; };
const chunks = [1600, 333, 4096, 160, 8000];
let pushed = 0, events = 0, segments = 0, k = 0;
const marks = {};
const started = performance.now();
for (let minute = 1; minute <= 60; minute++) {
  while (pushed < minute * 60 * rate) {
    const at = pushed % pattern.length;
    const n = Math.min(chunks[k++ % chunks.length], pattern.length - at);
    const gain = 0.6 + 0.4 * Math.sin(pushed / (7 * rate));
    const chunk = pattern.slice(at, at + n).map((v) => v * gain);
    for (const e of await stream.push(chunk)) { events++; if (e.type === 'segment') segments++; }
    pushed += n;
  }
  if (minute === 2 || minute === 10 || minute === 60) marks[minute] = heap();
}
for (const e of await stream.end()) { events++; if (e.type === 'segment') segments++; }
const s = stream.summary();
console.log(JSON.stringify({ marks, events, segments, summarySegments: s.segments, durationS: s.durationS, seconds: (performance.now() - started) / 1000 }));
`;

test('an hour of streamed audio keeps the heap flat (bundled model, energy VAD, interim events)', () => {
  const run = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=256', '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: repoRoot, encoding: 'utf8', timeout: 900_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  const r = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
    marks: Record<string, number>;
    segments: number;
    summarySegments: number;
    durationS: number;
    seconds: number;
  };
  assert.equal(r.durationS, 3600);
  // 600 repetitions of a pattern with two utterances.
  assert.ok(r.segments >= 1100 && r.segments <= 1300, `segments ${r.segments}`);
  assert.equal(r.summarySegments, r.segments);
  const growth = r.marks[60] - r.marks[10];
  const mib = (b: number) => (b / 2 ** 20).toFixed(2);
  console.log(
    `heap after 2 / 10 / 60 min: ${mib(r.marks[2])} / ${mib(r.marks[10])} / ${mib(r.marks[60])} MiB; ${r.segments} segments in ${r.seconds.toFixed(0)} s`,
  );
  assert.ok(growth < 2 * 2 ** 20, `heap grew ${mib(growth)} MiB between minute 10 and minute 60`);
});
