// `npm run bench:features [-- --json] [--files N] [--reps R] [--slow-files K] [--data DIR]`
//
// Feature-extraction speed, emovox vs torchaudio 0.13 (Debian /usr/bin/python3), Meyda and
// essentia.js, on the same decoded audio with the same parameters, in one run with interleaved
// repetitions. Measures CPU time only (process.cpuUsage / time.process_time), decoding excluded:
// every clip is decoded once into memory first and handed to Python as raw float32 NPY.
// Everything runs on one thread (torch.set_num_threads(1), OMP/OPENBLAS/MKL_NUM_THREADS=1).
import '../src/dsp/pffft-node.js'; // PFFFT as in the Node entry
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadAudio, synthesizeSpeechLike } from '../src/audio/index.js';
import { writeNpy } from '../src/extract/npy.js';
import { featureFunction, featureSpec } from '../src/features/sets.js';
import type { FeatureValue } from '../src/features/value.js';
import { essentiaMfcc40, essentiaVector180, loadEssentia } from './features-essentia.js';
import { meydaMfcc40, meydaVector180 } from './features-meyda.js';

const root = fileURLToPath(new URL('..', import.meta.url));

type Task = 'mfcc40' | 'vector180';
const TASKS: Task[] = ['mfcc40', 'vector180'];

interface Args {
  json: boolean;
  files: number;
  reps: number;
  slowFiles: number;
  data: string | undefined;
  tasks: Task[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { json: false, files: 200, reps: 3, slowFiles: 6, data: undefined, tasks: [...TASKS] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--json') args.json = true;
    else if (a === '--files') args.files = Number(next());
    else if (a === '--reps') args.reps = Number(next());
    else if (a === '--slow-files') args.slowFiles = Number(next());
    else if (a === '--data') args.data = next();
    else if (a === '--tasks') {
      args.tasks = next().split(',') as Task[];
      if (args.tasks.some((t) => !TASKS.includes(t)))
        throw new Error(`--tasks: choose from ${TASKS.join(',')}`);
    } else throw new Error(`unknown argument ${a}`);
  }
  for (const k of ['files', 'reps', 'slowFiles'] as const) {
    if (!Number.isInteger(args[k]) || args[k] < 1) throw new Error(`--${k} must be a positive integer`);
  }
  return args;
}

interface Corpus {
  description: string;
  clips16: Float32Array[];
  clips22: Float32Array[];
}

function walkFlac(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walkFlac(full));
    else if (name.endsWith('.flac')) out.push(full);
  }
  return out;
}

/** Deterministic speech-like clips (different f0 and formants per clip), for machines without the corpora. */
function synthesise(count: number, seconds: number, sr: number): Float32Array[] {
  return Array.from({ length: count }, (_, c) =>
    synthesizeSpeechLike({
      sampleRate: sr,
      durationS: seconds,
      f0Hz: 100 + ((c * 37) % 150),
      formantsHz: [500 + ((c * 53) % 400), 1200 + ((c * 71) % 800), 2400 + ((c * 89) % 600)],
      seed: c,
    }),
  );
}

async function loadCorpus(args: Args): Promise<Corpus> {
  const dataDir = args.data ?? process.env.EMOVOX_DATA ?? resolve(root, '..', 'shared', 'data');
  const ravdess = join(dataDir, 'ravdess');
  if (existsSync(ravdess)) {
    const all = walkFlac(ravdess);
    // Evenly spaced over the sorted list: every actor and emotion is represented.
    const step = all.length / Math.min(args.files, all.length);
    const picked = Array.from(
      { length: Math.min(args.files, all.length) },
      (_, i) => all[Math.floor(i * step)],
    );
    const clips16: Float32Array[] = [];
    const clips22: Float32Array[] = [];
    for (const path of picked) {
      clips16.push((await loadAudio(path, { sr: 16000 })).samples);
      clips22.push((await loadAudio(path, { sr: 22050 })).samples);
    }
    return { description: `${picked.length} RAVDESS files (${ravdess})`, clips16, clips22 };
  }
  const count = Math.min(args.files, 60);
  return {
    description: `${count} synthesised speech-like clips of 3.5 s (no shared corpora found at ${dataDir})`,
    clips16: synthesise(count, 3.5, 16000),
    clips22: synthesise(count, 3.5, 22050),
  };
}

interface Engine {
  name: string;
  detail: string;
  /**
   * Runs a task over the engine's clips (only the first `limit` when given: warm-up); resolves
   * with CPU seconds and the number of values produced.
   */
  run(task: Task, limit?: number): Promise<{ cpuSeconds: number; values: number }>;
  /** Seconds of audio one run of `task` processes. */
  audioSeconds: Record<Task, number>;
  note?: Partial<Record<Task, string>>;
  close?(): Promise<void>;
}

function seconds(clips: readonly Float32Array[], sr: number): number {
  return clips.reduce((s, c) => s + c.length, 0) / sr;
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

function inProcess(
  name: string,
  detail: string,
  clips16: Float32Array[],
  clips22: Float32Array[],
  fns: Record<Task, (clips: Float32Array[]) => number>,
  note?: Engine['note'],
): Engine {
  return {
    name,
    detail,
    note,
    audioSeconds: { mfcc40: seconds(clips16, 16000), vector180: seconds(clips22, 22050) },
    async run(task, limit) {
      const clips = (task === 'mfcc40' ? clips16 : clips22).slice(0, limit);
      const start = process.cpuUsage();
      const values = fns[task](clips);
      return { cpuSeconds: cpuSince(start), values };
    },
  };
}

function emovoxEngine(corpus: Corpus, args: Args): Engine {
  const mfcc40 = featureFunction(featureSpec('mfcc40'));
  const vector180 = args.tasks.includes('vector180') ? featureFunction(featureSpec('vector180')) : mfcc40;
  const count = (clips: Float32Array[], sr: number, fn: typeof mfcc40) => {
    let values = 0;
    for (const y of clips) {
      const v = fn(y, sr) as FeatureValue; // the built-in sets are synchronous
      values += (v.matrix?.data ?? v.vector)!.length;
    }
    return values;
  };
  return inProcess(
    'emovox',
    `emovox (this checkout, Node ${process.version}, main thread)`,
    corpus.clips16,
    corpus.clips22,
    {
      mfcc40: (clips) => count(clips, 16000, mfcc40),
      vector180: (clips) => count(clips, 22050, vector180),
    },
  );
}

async function torchaudioEngine(corpus: Corpus, scratch: string): Promise<Engine | { unavailable: string }> {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return { unavailable: `${python} not found` };
  const files: string[] = [];
  for (const [clips, rate] of [
    [corpus.clips16, 16],
    [corpus.clips22, 22],
  ] as const) {
    const audio = join(scratch, `audio${rate}.npy`);
    const lengths = join(scratch, `lengths${rate}.npy`);
    await writeNpy(audio, '<f4', [clips.reduce((s, c) => s + c.length, 0)], clips);
    await writeNpy(lengths, '<i4', [clips.length], [Int32Array.from(clips, (c) => c.length)]);
    files.push(audio, lengths);
  }
  const child: ChildProcessWithoutNullStreams = spawn(
    python,
    [join(root, 'bench', 'features_torchaudio.py'), ...files],
    {
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`torchaudio helper exited: ${stderr.trim().slice(-500)}`);
    return JSON.parse(value) as Record<string, unknown>;
  };
  let ready: Record<string, unknown>;
  try {
    ready = await nextLine();
  } catch (error) {
    child.kill();
    return { unavailable: error instanceof Error ? error.message : String(error) };
  }
  return {
    name: 'torchaudio',
    detail: `torch ${String(ready.torch)} / torchaudio ${String(ready.torchaudio)}, ${String(ready.threads)} thread`,
    audioSeconds: { mfcc40: seconds(corpus.clips16, 16000), vector180: seconds(corpus.clips22, 22050) },
    note: {
      vector180: 'no chroma in torchaudio 0.13: mel (128) + MFCC (40) time means only, 168 of 180 values',
    },
    async run(task, limit) {
      child.stdin.write(`${task}${limit === undefined ? '' : ` ${limit}`}\n`);
      const reply = await nextLine();
      if (typeof reply.cpuSeconds !== 'number')
        throw new Error(`torchaudio helper: ${JSON.stringify(reply)}`);
      return { cpuSeconds: reply.cpuSeconds, values: Number(reply.values) };
    },
    async close() {
      child.stdin.write('quit\n');
      child.stdin.end();
      await new Promise((r) => child.once('exit', r));
    },
  };
}

interface Row {
  engine: string;
  task: Task;
  audioSecondsPerCpuSecond: number;
  cpuSecondsMedian: number;
  audioSeconds: number;
  reps: number;
  note?: string;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
  const wallStart = performance.now();
  const corpus = await loadCorpus(args);
  log(
    `audio: ${corpus.description}; decoded / prepared in ${((performance.now() - wallStart) / 1000).toFixed(1)} s (not timed)`,
  );

  const scratch = mkdtempSync(join(tmpdir(), 'emovox-bench-'));
  const engines: Engine[] = [];
  const unavailable: Record<string, string> = {};
  try {
    engines.push(emovoxEngine(corpus, args));
    const torch = await torchaudioEngine(corpus, scratch);
    if ('unavailable' in torch) unavailable.torchaudio = torch.unavailable;
    else engines.push(torch);
    // Meyda and essentia.js work frame by frame in JS / WASM glue and run ~10-50x real time, so they
    // get the first `slowFiles` clips of the same list (rates are per audio second).
    const slow16 = corpus.clips16.slice(0, args.slowFiles);
    const slow22 = corpus.clips22.slice(0, args.slowFiles);
    engines.push(
      inProcess('meyda', 'meyda 5.6.3 (per-frame Meyda.extract)', slow16, slow22, {
        mfcc40: (clips) => meydaMfcc40(clips).values,
        vector180: (clips) => meydaVector180(clips).values,
      }),
    );
    const essentia = loadEssentia(root);
    if ('unavailable' in essentia) unavailable.essentia = essentia.unavailable;
    else {
      engines.push(
        inProcess(
          'essentia',
          `essentia.js ${essentia.version} (AGPL, installed on demand in .cache/bench/essentia)`,
          slow16,
          slow22,
          {
            mfcc40: (clips) => essentiaMfcc40(essentia.api, clips).values,
            vector180: (clips) => essentiaVector180(essentia.api, clips).values,
          },
          { vector180: 'chroma = HPCP(12) from SpectralPeaks' },
        ),
      );
    }
    for (const [name, why] of Object.entries(unavailable)) log(`${name}: unavailable (${why})`);

    // Untimed warm-up on the first 4 clips (JIT, filterbanks, windows, lazy initialisation), then
    // the timed repetitions.
    const cpu = new Map<string, number[]>();
    for (let rep = 0; rep <= args.reps; rep++) {
      for (const task of args.tasks) {
        // Rotate the engine order each repetition so no engine always runs first or last.
        const order = engines.map((_, i) => engines[(i + rep) % engines.length]);
        for (const engine of order) {
          const { cpuSeconds, values } = await engine.run(task, rep === 0 ? 4 : undefined);
          if (!(values > 0)) throw new Error(`${engine.name} ${task} produced no values`);
          if (rep === 0) continue;
          const key = `${engine.name}|${task}`;
          cpu.set(key, [...(cpu.get(key) ?? []), cpuSeconds]);
        }
      }
      log(
        `repetition ${rep === 0 ? 'warm-up' : rep} done (${((performance.now() - wallStart) / 1000).toFixed(0)} s)`,
      );
    }

    const rows: Row[] = [];
    for (const engine of engines) {
      for (const task of args.tasks) {
        const times = cpu.get(`${engine.name}|${task}`) ?? [];
        const med = median(times);
        rows.push({
          engine: engine.name,
          task,
          audioSecondsPerCpuSecond: engine.audioSeconds[task] / med,
          cpuSecondsMedian: med,
          audioSeconds: engine.audioSeconds[task],
          reps: times.length,
          note: engine.note?.[task],
        });
      }
    }
    const rate = (engine: string, task: Task) =>
      rows.find((r) => r.engine === engine && r.task === task)?.audioSecondsPerCpuSecond;
    const ratio = (other: string, task: Task) => {
      const a = rate('emovox', task);
      const b = rate(other, task);
      return a !== undefined && b !== undefined ? a / b : null;
    };
    const others = ['torchaudio', 'meyda', 'essentia'];
    const ratios = Object.fromEntries(others.map((o) => [o, ratio(o, 'mfcc40')]));
    const ratiosByTask = Object.fromEntries(
      args.tasks.map((t) => [t, Object.fromEntries(others.map((o) => [o, ratio(o, t)]))]),
    );

    log('');
    log(
      `| engine | task | audio s / CPU s (= x real time per core) | median CPU s | audio s | reps | emovox / engine |`,
    );
    log(`|---|---|---:|---:|---:|---:|---:|`);
    for (const r of rows) {
      const vs = r.engine === 'emovox' ? '-' : (ratiosByTask[r.task][r.engine]?.toFixed(2) ?? '-');
      log(
        `| ${r.engine} | ${r.task} | ${r.audioSecondsPerCpuSecond.toFixed(1)} | ${r.cpuSecondsMedian.toFixed(3)} | ` +
          `${r.audioSeconds.toFixed(1)} | ${r.reps} | ${vs} |`,
      );
    }
    for (const e of engines) log(`- ${e.name}: ${e.detail}`);
    for (const r of rows) if (r.note) log(`- ${r.engine} ${r.task}: ${r.note}`);
    const realTime = rate('emovox', 'mfcc40') ?? 0;
    const vsTorch = ratios.torchaudio ?? 0;
    const goal = realTime >= 1000 && vsTorch >= 1.5;
    log(
      `goals: emovox MFCC-40 >= 1000x real time per core: ${realTime >= 1000 ? 'met' : 'NOT met'} ` +
        `(${realTime.toFixed(0)}x); >= 1.5x torchaudio: ${vsTorch >= 1.5 ? 'met' : 'NOT met'} ` +
        `(${ratios.torchaudio === null ? 'torchaudio unavailable' : `${vsTorch.toFixed(2)}x`}); ` +
        `wall ${((performance.now() - wallStart) / 1000).toFixed(0)} s`,
    );
    if (args.json) {
      console.log(
        JSON.stringify({
          audio: corpus.description,
          rows,
          ratios,
          ratiosByTask,
          unavailable,
          engines: Object.fromEntries(engines.map((e) => [e.name, e.detail])),
          goalsMet: goal,
        }),
      );
    }
  } finally {
    for (const e of engines) await e.close?.();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
