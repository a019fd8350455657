// `npm run bench:predict [-- --data DIR] [--model NAME|PATH] [--repeat N] [--no-corpus] [--json]`
//
// Inference speed of the compiled package (run `npm run build` first):
//  - cold start: `node dist/cli/main.js predict <3 s clip>` from process start to exit, against
//    a bare `node -e ""` started the same way in the same run (the floor any CLI pays);
//  - per-file latency on one core: decode + resample + features + onnxruntime + calibration of
//    a 3 s clip, in-process after warm-up, wall and CPU time, against the clip's duration;
//  - `emovox predict` on all of RAVDESS (../shared/data/ravdess or --data DIR/ravdess) in one
//    run on all cores: files/s and x real time, against the same run on the main thread only.
// Timings are repeated and reported as median [min-max]: the machine is shared.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs } from './cli-args.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { flag, value, json, log } = benchArgs();
const repeat = Number(value('--repeat', '5'));
const data = resolve(value('--data', process.env.EMOVOX_DATA ?? join(root, '..', 'shared', 'data')));
const model = value('--model', '');
const cli = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(cli)) {
  console.error('bench:predict measures the compiled package: run `npm run build` first');
  process.exit(2);
}
// The compiled modules, so the in-process numbers are what an application gets.
const dist = (p: string) => new URL(`../dist/${p}`, import.meta.url).href;
const { loadAudio, encodeWav, resample, synthesizeSpeechLike } = (await import(
  dist('audio/index.js')
)) as typeof import('../src/audio/index.js');
const { Recognizer } = (await import(
  dist('infer/recognizer.js')
)) as typeof import('../src/infer/recognizer.js');

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const spread = (v: number[], digits = 0) =>
  `${median(v).toFixed(digits)} [${Math.min(...v).toFixed(digits)}-${Math.max(...v).toFixed(digits)}]`;

const work = mkdtempSync(join(tmpdir(), 'emovox-bench-predict-'));
try {
  log(
    `bench:predict: ${cpus().length} cores, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}, ${repeat} repetitions`,
  );
  // A 3 s clip: the first 3 s of a RAVDESS recording as 16-bit WAV, or synthetic speech-like audio.
  const ravdessClip = join(
    data,
    'ravdess',
    'Audio_Speech_Actors_01-24',
    'Actor_01',
    '03-01-05-01-01-01-01.flac',
  );
  let clipSource = 'synthetic speech-like signal';
  let samples: Float32Array;
  let rate: number;
  if (existsSync(ravdessClip)) {
    const a = await loadAudio(ravdessClip, { mono: true });
    samples = a.samples.subarray(0, 3 * a.sampleRate);
    rate = a.sampleRate;
    clipSource = `first 3 s of RAVDESS ${ravdessClip.split('/').pop()}`;
  } else {
    rate = 16000;
    samples = synthesizeSpeechLike({ durationS: 3, sampleRate: rate, seed: 1 });
  }
  const clip = join(work, 'clip-3s.wav');
  (await import('node:fs')).writeFileSync(clip, encodeWav(samples, rate));
  const modelArgs = model ? ['--model', model] : [];

  // ---- cold start ----
  // The child reports its own CPU time (all threads) at exit: on a loaded machine wall time
  // mostly measures the queue for a core, CPU time what the start-up itself costs.
  const cpuAtExit =
    'data:text/javascript,process.on("exit",()=>{const u=process.cpuUsage();process.stderr.write(`emovox-cpu-ms ${(u.user+u.system)/1000}\\n`)})';
  const time = (argv: string[]) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, ['--import', cpuAtExit, ...argv], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
    const cpu = Number(/emovox-cpu-ms ([\d.]+)/.exec(r.stderr)?.[1] ?? Number.NaN);
    return { ms: performance.now() - t, cpuMs: cpu, stdout: r.stdout };
  };
  const bare: number[] = [];
  const cold: number[] = [];
  const bareCpu: number[] = [];
  const coldCpu: number[] = [];
  let answer = '';
  for (let i = 0; i < repeat; i++) {
    const b = time(['-e', '']);
    bare.push(b.ms);
    bareCpu.push(b.cpuMs);
    const r = time([cli, 'predict', clip, '--format', 'json', '--workers', '0', ...modelArgs]);
    cold.push(r.ms);
    coldCpu.push(r.cpuMs);
    answer = (JSON.parse(r.stdout) as { label: string }[])[0].label;
  }
  log(
    `cold start (process start to result, ${clipSource}): wall ${spread(cold)} ms, CPU ${spread(coldCpu)} ms; bare node wall ${spread(bare)} ms, CPU ${spread(bareCpu)} ms; answer ${answer}`,
  );

  // ---- per-file latency, one core ----
  const recognizer = await Recognizer.load(model || undefined, { threads: 1 });
  const once = async () => {
    const a = await loadAudio(clip, { mono: true });
    return recognizer.classify(a.samples, a.sampleRate);
  };
  for (let i = 0; i < 20; i++) await once();
  const wall: number[] = [];
  const cpu: number[] = [];
  const n = 50;
  for (let r = 0; r < repeat; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < n; i++) await once();
    wall.push((performance.now() - t) / n);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000 / n);
  }
  await recognizer.release();
  log(
    `per-file latency (3 s clip, one core, warm): wall ${spread(wall, 2)} ms, CPU ${spread(cpu, 2)} ms = ${(3000 / median(cpu)).toFixed(0)}x real time per core`,
  );

  // ---- voice activity detection cost (timelines, streams) ----
  const { detectSpeech } = (await import(
    dist('infer/recognizer.js')
  )) as typeof import('../src/infer/recognizer.js');
  // A minute of 16 kHz audio: the clip, 3 s of silence, the clip, ...
  const clip16 = rate === 16000 ? samples : resample(samples, rate, 16000);
  const minute = new Float32Array(60 * 16000);
  for (let at = 0; at + clip16.length <= minute.length; at += clip16.length + 3 * 16000)
    minute.set(clip16, at);
  const vadCost: Record<string, number[]> = { silero: [], energy: [] };
  await detectSpeech(minute, 16000, 'silero');
  for (let r = 0; r < repeat; r++) {
    for (const vad of ['silero', 'energy'] as const) {
      const c = process.cpuUsage();
      await detectSpeech(minute, 16000, vad);
      const u = process.cpuUsage(c);
      vadCost[vad].push((u.user + u.system) / 1000 / 60);
    }
  }
  log(
    `voice activity detection, CPU per second of audio: silero ${spread(vadCost.silero, 2)} ms, energy ${spread(vadCost.energy, 3)} ms`,
  );

  // ---- all of RAVDESS in one run ----
  let corpus: Record<string, unknown> | undefined;
  const ravdess = join(data, 'ravdess');
  if (!flag('--no-corpus') && existsSync(ravdess)) {
    const runs: Record<string, { seconds: number; files: number; audioS: number }[]> = { all: [], main: [] };
    const corpusRepeat = Math.max(1, Math.min(repeat, Number(value('--corpus-repeat', '2'))));
    for (let r = 0; r < corpusRepeat; r++) {
      for (const [name, workers] of [
        ['all', String(availableParallelism())],
        ['main', '0'],
      ] as const) {
        const out = join(work, `ravdess-${name}.jsonl`);
        const t = performance.now();
        const p = spawnSync(
          process.execPath,
          [cli, 'predict', ravdess, '--format', 'jsonl', '--out', out, '--workers', workers, ...modelArgs],
          {
            cwd: root,
            encoding: 'utf8',
          },
        );
        const seconds = (performance.now() - t) / 1000;
        if (p.status !== 0) throw new Error(`predict on ${ravdess} failed: ${p.stderr}`);
        const rows = readFileSync(out, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { durationS: number });
        runs[name].push({ seconds, files: rows.length, audioS: rows.reduce((a, x) => a + x.durationS, 0) });
      }
    }
    const stat = (name: string) => {
      const s = runs[name].map((r) => r.seconds);
      const files = runs[name][0].files;
      const audioS = runs[name][0].audioS;
      return { seconds: s, filesPerS: files / median(s), realTime: audioS / median(s), files, audioS };
    };
    const all = stat('all');
    const main = stat('main');
    log(
      `predict ${ravdess} (${all.files} files, ${(all.audioS / 60).toFixed(1)} min of audio), whole command: ` +
        `${availableParallelism()} workers ${spread(all.seconds, 1)} s = ${all.filesPerS.toFixed(1)} files/s, ${all.realTime.toFixed(0)}x real time; ` +
        `main thread ${spread(main.seconds, 1)} s = ${main.filesPerS.toFixed(1)} files/s; speed-up ${(median(main.seconds) / median(all.seconds)).toFixed(2)}x`,
    );
    corpus = { workers: availableParallelism(), all, main };
  } else log('RAVDESS throughput skipped (no data or --no-corpus)');
  if (json) {
    console.log(
      JSON.stringify({
        cores: cpus().length,
        load: loadavg(),
        coldStartMs: {
          median: median(cold),
          runs: cold,
          cpuMedian: median(coldCpu),
          cpuRuns: coldCpu,
          bareNodeMs: median(bare),
          bareNodeCpuMs: median(bareCpu),
        },
        perFileMs: { wall: median(wall), cpu: median(cpu), wallRuns: wall, cpuRuns: cpu, clip: clipSource },
        vadCpuMsPerAudioS: { silero: median(vadCost.silero), energy: median(vadCost.energy) },
        corpus,
      }),
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
