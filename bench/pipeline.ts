// `npm run bench:pipeline [-- --json] [--data DIR] [--files N] [--reps R] [--e2e-files N]
//   [--e2e-corpora ravdess,tess,urdu] [--stages decode,resample,features,e2e]`
//
// Speed of the whole path from a file to features, stage by stage, each beside the library a
// Python user has, in one run with interleaved repetitions (CPU time, one thread, x real time =
// seconds of audio per CPU second):
// - decode: emovox loadAudio(bytes) vs soundfile.read(BytesIO) (libsndfile 1.2, Debian
//   python3-soundfile) on the same in-memory files: RAVDESS FLAC (16 kHz mono 16-bit) and WAV,
//   MP3, Ogg Vorbis and Opus made from them with ffmpeg (cached in .bench/pipeline-cache);
// - resample: emovox resample() vs libsoxr 0.1.3 (soxr_oneshot per clip, one thread, via a
//   small C harness compiled here against Debian's libsoxr-dev: bench/soxr_bench.c; libsoxr is
//   LGPL and never part of the package), 16 -> 22.05 kHz and 48 -> 16 kHz at every preset;
// - features: the mfcc40 and vector180 feature functions on decoded arrays vs torchaudio 0.13
//   (bench/features_torchaudio.py; see `npm run bench:features`);
// - end to end: `emovox features <files> --set mfcc40|vector180 --no-cache` as a child process
//   (dist/, built first), CPU time of the child (all threads), with 1 and 2 workers; scaling is
//   the wall-time ratio. Beside it, two 1-worker commands run at once on the same files:
//   2 x (one alone) / (the pair) is what two cores give two jobs that share nothing, the ceiling
//   the 1 -> 2 worker scaling of one job is measured against. And one worker held to one core
//   (`taskset -c 0`, when there is taskset): the one-core baseline of a 1 -> 2 core speedup.
// Needs the shared corpora (--data DIR, $EMOVOX_DATA, or ../shared/data); without them it says
// so and exits 0. --json prints one JSON object with every measurement on the last line.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import '../src/dsp/pffft-node.js'; // PFFFT as in the Node entry and the extraction workers
import { loadAudio, readAudioInfo, resample, type ResampleQuality } from '../src/audio/index.js';
import { featureSpec } from '../src/features/sets.js';
import { syncFeatureFunction } from './sync-feature.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cacheDir = join(root, '.bench', 'pipeline-cache');
const python = '/usr/bin/python3';

type Stage = 'decode' | 'resample' | 'features' | 'e2e';
const STAGES: Stage[] = ['decode', 'resample', 'features', 'e2e'];

interface Args {
  json: boolean;
  data: string | undefined;
  files: number;
  reps: number;
  e2eFiles: number;
  /** Corpus folders under the data folder that the end-to-end runs read (default: ravdess). */
  e2eCorpora: string[];
  stages: Set<Stage>;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    json: false,
    data: undefined,
    files: 300,
    reps: 5,
    e2eFiles: Number.MAX_SAFE_INTEGER, // all files of the corpora
    e2eCorpora: ['ravdess'],
    stages: new Set(STAGES),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--json') args.json = true;
    else if (a === '--data') args.data = next();
    else if (a === '--files') args.files = Number(next());
    else if (a === '--reps') args.reps = Number(next());
    else if (a === '--e2e-files') args.e2eFiles = Number(next());
    else if (a === '--e2e-corpora') args.e2eCorpora = next().split(',').filter(Boolean);
    else if (a === '--stages') {
      const list = next().split(',') as Stage[];
      if (list.some((x) => !STAGES.includes(x))) throw new Error(`--stages: choose from ${STAGES.join(',')}`);
      args.stages = new Set(list);
    } else throw new Error(`unknown argument ${a}`);
  }
  for (const k of ['files', 'reps', 'e2eFiles'] as const) {
    if (!Number.isInteger(args[k]) || args[k] < 1) throw new Error(`--${k} must be a positive integer`);
  }
  return args;
}

/** Median, min and max of repeated measurements. */
interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

function spread(values: number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return {
    median: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2,
    min: s[0],
    max: s[s.length - 1],
    n: s.length,
  };
}

/** x real time per core from CPU seconds: median and the range over repetitions. */
interface Speed {
  /** Seconds of audio per CPU second (median repetition). */
  x: number;
  xMin: number;
  xMax: number;
  cpuSeconds: Spread;
}

function range(s: Spread, digits = 2): string {
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`;
}

function speedOf(audioSeconds: number, cpuSeconds: number[]): Speed {
  const c = spread(cpuSeconds);
  return {
    x: audioSeconds / c.median,
    xMin: audioSeconds / c.max,
    xMax: audioSeconds / c.min,
    cpuSeconds: c,
  };
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

/** `count` paths evenly spaced over the sorted list (every actor and emotion represented). */
function evenly(all: string[], count: number): string[] {
  const n = Math.min(count, all.length);
  const step = all.length / n;
  return Array.from({ length: n }, (_, i) => all[Math.floor(i * step)]);
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

/** CPU seconds used by waited-for children so far (Linux /proc: cutime + cstime). */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): cutime and cstime are fields 16 and 17
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return (Number(fields[13]) + Number(fields[14])) / ticks;
}

// ---------------------------------------------------------------- inputs

type Format = 'flac' | 'wav' | 'mp3' | 'ogg' | 'opus';
const FORMATS: Format[] = ['flac', 'wav', 'mp3', 'ogg', 'opus'];
const FFMPEG_ARGS: Record<Exclude<Format, 'flac'>, string[]> = {
  wav: ['-c:a', 'pcm_s16le'],
  mp3: ['-c:a', 'libmp3lame', '-b:a', '64k'],
  ogg: ['-c:a', 'libvorbis', '-q:a', '4'],
  opus: ['-c:a', 'libopus', '-b:a', '32k'],
};

/** The picked FLACs converted to `format` with ffmpeg (made once, kept in .bench/pipeline-cache). */
function converted(flacs: string[], format: Format, log: (s: string) => void): string[] {
  if (format === 'flac') return flacs;
  const dir = join(cacheDir, format);
  mkdirSync(dir, { recursive: true });
  let made = 0;
  const out = flacs.map((path) => {
    const target = join(dir, `${basename(path, '.flac')}.${format}`);
    if (!existsSync(target)) {
      const tmp = `${target}.part.${format}`;
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', path, ...FFMPEG_ARGS[format], tmp]);
      execFileSync('mv', [tmp, target]);
      made++;
    }
    return target;
  });
  if (made > 0) log(`made ${made} ${format} files with ffmpeg in ${dir}`);
  return out;
}

function writeF32(path: string, clips: Float32Array[]): void {
  const total = clips.reduce((s, c) => s + c.length, 0);
  const all = new Float32Array(total);
  let at = 0;
  for (const c of clips) {
    all.set(c, at);
    at += c.length;
  }
  writeFileSync(path, new Uint8Array(all.buffer));
}

function writeLengths(path: string, clips: Float32Array[]): void {
  writeFileSync(path, new Uint8Array(Int32Array.from(clips, (c) => c.length).buffer));
}

/** A 1-D NPY file (the torchaudio helper's input). */
function writeNpy1d(path: string, descr: '<f4' | '<i4', data: Float32Array | Int32Array): void {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${data.length},), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  for (let i = 0; i < header.length; i++) head[10 + i] = header.charCodeAt(i);
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  writeFileSync(path, out);
}

function concat(clips: Float32Array[]): Float32Array {
  const out = new Float32Array(clips.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of clips) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

// ---------------------------------------------------------------- helpers in other processes

/** A line-protocol child (JSON lines on stdout, requests on stdin). */
async function lineChild(
  command: string,
  argv: string[],
  quit: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{
  first: Record<string, unknown>;
  ask(request: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}> {
  const child = spawn(command, argv, { env });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`${basename(argv[0])} exited: ${stderr.trim().slice(-500)}`);
    return JSON.parse(value) as Record<string, unknown>;
  };
  const first = await next();
  return {
    first,
    async ask(request) {
      child.stdin.write(`${request}\n`);
      return next();
    },
    async close() {
      child.stdin.write(`${quit}\n`);
      child.stdin.end();
      await new Promise((r) => child.once('exit', r));
    },
  };
}

function buildSoxrHarness(): string | { unavailable: string } {
  const exe = join(root, '.bench', 'soxr_bench');
  if (!existsSync('/usr/include/soxr.h'))
    return { unavailable: 'libsoxr-dev not installed (/usr/include/soxr.h)' };
  mkdirSync(join(root, '.bench'), { recursive: true });
  const cc = spawnSync('cc', ['-O2', '-o', exe, join(root, 'bench', 'soxr_bench.c'), '-lsoxr'], {
    encoding: 'utf8',
  });
  if (cc.status !== 0) return { unavailable: `cc failed: ${cc.stderr || cc.error}` };
  return exe;
}

function runSoxr(
  exe: string,
  audio: string,
  lengths: string,
  srIn: number,
  srOut: number,
  q: string,
): number {
  const out = execFileSync(exe, [audio, lengths, String(srIn), String(srOut), q, '1'], { encoding: 'utf8' });
  return (JSON.parse(out.trim().split('\n')[0]) as { cpuSeconds: number }).cpuSeconds;
}

// ---------------------------------------------------------------- main

interface Row {
  stage: string;
  emovox: Speed;
  baseline?: { name: string; speed: Speed };
  /** emovox speed / baseline speed (medians). */
  ratio?: number;
  note?: string;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string): void => void (args.json ? process.stderr : process.stdout).write(`${line}\n`);
  const dataDir = resolve(args.data ?? process.env.EMOVOX_DATA ?? join(root, '..', 'shared', 'data'));
  const ravdess = join(dataDir, 'ravdess');
  if (!existsSync(ravdess)) {
    const reason = `no RAVDESS corpus at ${ravdess} (pass --data DIR or set EMOVOX_DATA; see README "Real data")`;
    log(`bench:pipeline skipped: ${reason}`);
    if (args.json) console.log(JSON.stringify({ skipped: reason }));
    return;
  }
  const wall0 = performance.now();
  const load0 = loadavg()[0];
  const all = walkFlac(ravdess);
  const picked = evenly(all, args.files);
  log(
    `decode / resample / features: ${picked.length} of ${all.length} RAVDESS files, ${args.reps} repetitions`,
  );

  // decoded clips (untimed), the reference for audio seconds
  const clips16: Float32Array[] = [];
  for (const p of picked) clips16.push((await loadAudio(p)).samples);
  const seconds16 = clips16.reduce((s, c) => s + c.length, 0) / 16000;
  const clips48 = clips16.map((c) => resample(c, 16000, 48000));
  const clips22 = clips16.map((c) => resample(c, 16000, 22050));
  log(`${seconds16.toFixed(0)} s of audio; prepared in ${((performance.now() - wall0) / 1000).toFixed(0)} s`);

  const rows: Row[] = [];
  const unavailable: Record<string, string> = {};
  const scratch = join(tmpdir(), `emovox-pipeline-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  try {
    // ---------------- decode
    const files: Record<Format, string[]> = {} as Record<Format, string[]>;
    for (const f of args.stages.has('decode') ? FORMATS : []) {
      try {
        files[f] = converted(picked, f, log);
      } catch (error) {
        unavailable[`decode ${f}`] = `ffmpeg could not make ${f}: ${String(error).slice(0, 200)}`;
      }
    }
    const formats = FORMATS.filter((f) => files[f]);
    const bytes = Object.fromEntries(
      formats.map((f) => [f, files[f].map((p) => new Uint8Array(readFileSync(p)))]),
    ) as Record<Format, Uint8Array[]>;
    const listPath = join(scratch, 'lists.json');
    writeFileSync(listPath, JSON.stringify(Object.fromEntries(formats.map((f) => [f, files[f]]))));
    let sf: Awaited<ReturnType<typeof lineChild>> | null = null;
    try {
      if (formats.length === 0) throw new Error('not run');
      if (!existsSync(python)) throw new Error(`${python} not found`);
      sf = await lineChild(python, [join(root, 'bench', 'pipeline_baseline.py'), listPath], '"quit"');
    } catch (error) {
      if (formats.length) unavailable.libsndfile = String(error);
    }
    const decodeCpu = new Map<string, number[]>();
    const push = (key: string, v: number): void =>
      void decodeCpu.set(key, [...(decodeCpu.get(key) ?? []), v]);
    for (let rep = 0; rep <= (formats.length ? args.reps : -1); rep++) {
      for (const f of formats) {
        const t0 = process.cpuUsage();
        for (const [i, b] of bytes[f].entries()) await loadAudio(b, { name: files[f][i] });
        const ours = cpuSince(t0);
        const theirs = sf ? ((await sf.ask(JSON.stringify(f))).cpuSeconds as number) : NaN;
        if (rep === 0) continue; // warm-up
        push(`emovox|${f}`, ours);
        if (sf) push(`sf|${f}`, theirs);
      }
    }
    const sfName = sf
      ? `libsndfile ${String(sf.first.libsndfile)} (soundfile ${String(sf.first.soundfile)})`
      : '';
    await sf?.close();
    for (const f of formats) {
      const emovox = speedOf(seconds16, decodeCpu.get(`emovox|${f}`) ?? []);
      const row: Row = { stage: `decode ${f.toUpperCase()}`, emovox };
      if (decodeCpu.has(`sf|${f}`)) {
        const speed = speedOf(seconds16, decodeCpu.get(`sf|${f}`) ?? []);
        row.baseline = { name: sfName, speed };
        row.ratio = emovox.x / speed.x;
      }
      rows.push(row);
    }
    if (formats.length) log(`decode done (${((performance.now() - wall0) / 1000).toFixed(0)} s)`);

    // ---------------- resample
    const soxr = args.stages.has('resample') ? buildSoxrHarness() : { unavailable: 'not run' };
    if (typeof soxr !== 'string' && args.stages.has('resample')) unavailable.libsoxr = soxr.unavailable;
    const inputs = { 16000: clips16, 48000: clips48 } as const;
    for (const [rate, clips] of Object.entries(inputs)) {
      writeF32(join(scratch, `a${rate}.f32`), clips);
      writeLengths(join(scratch, `a${rate}.i32`), clips);
    }
    const allCases: Array<{ srIn: 16000 | 48000; srOut: number; quality: ResampleQuality; soxr: string[] }> =
      [
        { srIn: 16000, srOut: 22050, quality: 'high', soxr: ['HQ', 'VHQ'] },
        { srIn: 48000, srOut: 16000, quality: 'high', soxr: ['HQ', 'VHQ'] },
        { srIn: 16000, srOut: 22050, quality: 'medium', soxr: ['MQ'] },
        { srIn: 48000, srOut: 16000, quality: 'medium', soxr: ['MQ'] },
        { srIn: 16000, srOut: 22050, quality: 'low', soxr: ['LQ'] },
        { srIn: 48000, srOut: 16000, quality: 'low', soxr: ['LQ'] },
      ];
    const cases = args.stages.has('resample') ? allCases : [];
    const rcpu = new Map<string, number[]>();
    const rpush = (key: string, v: number): void => void rcpu.set(key, [...(rcpu.get(key) ?? []), v]);
    for (let rep = 0; rep <= args.reps; rep++) {
      for (const c of cases) {
        const clips = inputs[c.srIn];
        const t0 = process.cpuUsage();
        for (const y of clips) resample(y, c.srIn, c.srOut, { quality: c.quality });
        const ours = cpuSince(t0);
        const theirs =
          typeof soxr === 'string'
            ? c.soxr.map((q) =>
                runSoxr(
                  soxr,
                  join(scratch, `a${c.srIn}.f32`),
                  join(scratch, `a${c.srIn}.i32`),
                  c.srIn,
                  c.srOut,
                  q,
                ),
              )
            : [];
        if (rep === 0) continue;
        const key = `${c.srIn}|${c.srOut}|${c.quality}`;
        rpush(`emovox|${key}`, ours);
        theirs.forEach((t, i) => rpush(`soxr ${c.soxr[i]}|${key}`, t));
      }
    }
    for (const c of cases) {
      const key = `${c.srIn}|${c.srOut}|${c.quality}`;
      const emovox = speedOf(seconds16, rcpu.get(`emovox|${key}`) ?? []);
      for (const [i, q] of (typeof soxr === 'string' ? c.soxr : ['']).entries()) {
        const row: Row = {
          stage: `resample ${c.srIn / 1000} -> ${c.srOut / 1000} kHz, '${c.quality}'`,
          emovox,
        };
        if (typeof soxr === 'string') {
          const speed = speedOf(seconds16, rcpu.get(`soxr ${q}|${key}`) ?? []);
          row.baseline = { name: `libsoxr 0.1.3 ${q}`, speed };
          row.ratio = emovox.x / speed.x;
        }
        if (i > 0) row.note = 'same emovox run, second baseline';
        rows.push(row);
      }
    }
    if (cases.length) log(`resample done (${((performance.now() - wall0) / 1000).toFixed(0)} s)`);

    // ---------------- features (decoded arrays)
    const mfcc40 = syncFeatureFunction(featureSpec('mfcc40'));
    const vector180 = syncFeatureFunction(featureSpec('vector180'));
    let torch: Awaited<ReturnType<typeof lineChild>> | null = null;
    const tasks = args.stages.has('features') ? (['mfcc40', 'vector180'] as const) : ([] as const);
    try {
      if (tasks.length === 0) throw new Error('not run');
      if (!existsSync(python)) throw new Error(`${python} not found`);
      const paths: string[] = [];
      for (const [clips, rate] of [
        [clips16, 16],
        [clips22, 22],
      ] as const) {
        const a = join(scratch, `audio${rate}.npy`);
        const l = join(scratch, `lengths${rate}.npy`);
        writeNpy1d(a, '<f4', concat(clips));
        writeNpy1d(
          l,
          '<i4',
          Int32Array.from(clips, (c) => c.length),
        );
        paths.push(a, l);
      }
      torch = await lineChild(python, [join(root, 'bench', 'features_torchaudio.py'), ...paths], 'quit', {
        ...process.env,
        OMP_NUM_THREADS: '1',
        OPENBLAS_NUM_THREADS: '1',
        MKL_NUM_THREADS: '1',
      });
    } catch (error) {
      if (tasks.length) unavailable.torchaudio = String(error);
    }
    const fcpu = new Map<string, number[]>();
    const fpush = (key: string, v: number): void => void fcpu.set(key, [...(fcpu.get(key) ?? []), v]);
    for (let rep = 0; rep <= (tasks.length ? args.reps : -1); rep++) {
      for (const task of tasks) {
        const [fn, clips, sr] = task === 'mfcc40' ? [mfcc40, clips16, 16000] : [vector180, clips22, 22050];
        const limit = rep === 0 ? 4 : clips.length;
        const t0 = process.cpuUsage();
        for (const y of clips.slice(0, limit)) fn(y, sr);
        const ours = cpuSince(t0);
        // the torchaudio helper takes its request as a bare word (not JSON)
        const theirs = torch
          ? ((await torch.ask(`${task}${rep === 0 ? ' 4' : ''}`)).cpuSeconds as number)
          : NaN;
        if (rep === 0) continue;
        fpush(`emovox|${task}`, ours);
        if (torch) fpush(`torch|${task}`, theirs);
      }
    }
    const torchName = torch ? `torchaudio ${String(torch.first.torchaudio)} (1 thread)` : '';
    await torch?.close();
    for (const task of tasks) {
      const emovox = speedOf(seconds16, fcpu.get(`emovox|${task}`) ?? []);
      const row: Row = { stage: `features ${task} (decoded audio)`, emovox };
      if (torch) {
        const speed = speedOf(seconds16, fcpu.get(`torch|${task}`) ?? []);
        row.baseline = { name: torchName, speed };
        row.ratio = emovox.x / speed.x;
        if (task === 'vector180') row.note = 'torchaudio has no chroma: 168 of the 180 values';
      }
      rows.push(row);
    }
    if (tasks.length) log(`features done (${((performance.now() - wall0) / 1000).toFixed(0)} s)`);

    // ---------------- end to end
    const e2e: Array<Record<string, unknown>> = [];
    if (args.stages.has('e2e')) {
      log('building dist/ for the end-to-end runs (npm run build)');
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'ignore' });
      const corpusDirs = args.e2eCorpora.map((name) => join(dataDir, name));
      for (const dir of corpusDirs) if (!existsSync(dir)) throw new Error(`--e2e-corpora: no folder ${dir}`);
      const corpusFiles = corpusDirs.flatMap(walkFlac);
      const e2eFiles = args.e2eFiles >= corpusFiles.length ? corpusFiles : evenly(corpusFiles, args.e2eFiles);
      let e2eSeconds = 0;
      for (const p of e2eFiles) e2eSeconds += (await readAudioInfo(p)).durationS;
      const inputsArg = e2eFiles === corpusFiles ? corpusDirs : e2eFiles;
      log(
        `end to end: ${e2eFiles.length} files of ${args.e2eCorpora.join(' + ')}, ${e2eSeconds.toFixed(0)} s of audio`,
      );
      const cli = join(root, 'dist', 'cli', 'main.js');
      const featuresArgv = (set: string, workers: number, out: string) => [
        cli,
        'features',
        ...inputsArg,
        '--set',
        set,
        '--no-cache',
        '--workers',
        String(workers),
        '--json',
        '-o',
        join(scratch, out),
      ];
      const times = new Map<string, { cpu: number[]; wall: number[]; extract: number[] }>();
      // What two cores give two jobs that share nothing: two 1-worker commands at once, each on
      // all the files. 2 x (one command alone) / (the pair) bounds what splitting one job over two
      // workers can reach, with this machine's memory, caches and Node's helper threads included.
      const pairWall = new Map<string, number[]>();
      const oneCore = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
      for (let rep = 0; rep < Math.max(5, Math.ceil(args.reps / 2)); rep++) {
        for (const set of ['mfcc40', 'vector180']) {
          const t0pair = performance.now();
          await Promise.all(
            ['a', 'b'].map(
              (tag) =>
                new Promise<void>((done, fail) => {
                  const child = spawn(process.execPath, featuresArgv(set, 1, `${set}-pair-${tag}.npy`), {
                    stdio: ['ignore', 'ignore', 'pipe'],
                  });
                  let stderr = '';
                  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
                  child.on('exit', (code) =>
                    code === 0 ? done() : fail(new Error(`emovox features failed: ${stderr.slice(-500)}`)),
                  );
                }),
            ),
          );
          pairWall.set(set, [...(pairWall.get(set) ?? []), (performance.now() - t0pair) / 1000]);
          // '1core': one worker with the whole process held to one core (`taskset -c 0`), the
          // baseline of a speedup from one core to two (Node's helper threads share that core).
          for (const workers of [1, 2, ...(oneCore ? ['1core' as const] : [])]) {
            const argv = featuresArgv(set, workers === '1core' ? 1 : workers, `${set}.npy`);
            const before = childrenCpu();
            const t0 = performance.now();
            const run =
              workers === '1core'
                ? spawnSync('taskset', ['-c', '0', process.execPath, ...argv], {
                    encoding: 'utf8',
                    maxBuffer: 1 << 28,
                  })
                : spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 28 });
            const wall = (performance.now() - t0) / 1000;
            const cpu = childrenCpu() - before;
            if (run.status !== 0) throw new Error(`emovox features failed: ${run.stderr.slice(-500)}`);
            const key = `${set}|${workers}`;
            const t = times.get(key) ?? { cpu: [], wall: [], extract: [] };
            t.cpu.push(cpu);
            t.wall.push(wall);
            // `seconds` of the --json summary: extractFeatures alone (files decoded and
            // featurised; the CLI starts its workers before the walk), without Node's start,
            // imports, the walk and the output write.
            t.extract.push((JSON.parse(run.stdout) as { seconds: number }).seconds);
            times.set(key, t);
          }
        }
        log(`end to end repetition ${rep + 1} (${((performance.now() - wall0) / 1000).toFixed(0)} s)`);
      }
      for (const set of ['mfcc40', 'vector180']) {
        const one = times.get(`${set}|1`) as { cpu: number[]; wall: number[]; extract: number[] };
        const two = times.get(`${set}|2`) as { cpu: number[]; wall: number[]; extract: number[] };
        const scaling = one.wall.map((w, i) => w / two.wall[i]);
        const pairCeiling = one.wall.map((w, i) => (2 * w) / pairWall.get(set)![i]);
        const pinned = times.get(`${set}|1core`);
        const coreSpeedup = pinned ? pinned.wall.map((w, i) => w / two.wall[i]) : undefined;
        const extractScaling = one.extract.map((w, i) => w / two.extract[i]);
        const fixed = two.wall.map((w, i) => w - two.extract[i]);
        e2e.push({
          set,
          files: e2eFiles.length,
          audioSeconds: e2eSeconds,
          oneWorker: { ...speedOf(e2eSeconds, one.cpu), wallSeconds: spread(one.wall) },
          twoWorkers: { ...speedOf(e2eSeconds, two.cpu), wallSeconds: spread(two.wall) },
          scaling: spread(scaling),
          extractSeconds: { oneWorker: spread(one.extract), twoWorkers: spread(two.extract) },
          extractScaling: spread(extractScaling),
          outsideExtractSeconds: spread(fixed),
          twoIndependentCommandsScaling: spread(pairCeiling),
          oneCoreWallSeconds: pinned ? spread(pinned.wall) : null,
          oneToTwoCoresSpeedup: coreSpeedup ? spread(coreSpeedup) : null,
        });
        rows.push({
          stage: `end to end: emovox features --set ${set}, 1 worker`,
          emovox: speedOf(e2eSeconds, one.cpu),
        });
        rows.push({
          stage: `end to end: emovox features --set ${set}, 2 workers`,
          emovox: speedOf(e2eSeconds, two.cpu),
          note:
            `wall-time scaling 1 -> 2 workers: ${range(spread(scaling))}x; ` +
            `extraction step alone ${range(spread(extractScaling))}x; ` +
            `the command outside it (Node start, imports, walk, output write): ${range(spread(fixed), 3)} s; ` +
            `two 1-worker commands at once: ${range(spread(pairCeiling))}x` +
            (coreSpeedup
              ? `; 1 worker on 1 core (taskset) -> 2 workers: ${range(spread(coreSpeedup))}x`
              : ''),
        });
      }
    }

    // ---------------- report
    const load1 = loadavg()[0];
    const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${load0.toFixed(1)} at start, ${load1.toFixed(1)} at end`;
    const fmt = (s: Speed): string => `${s.x.toFixed(0)} (${s.xMin.toFixed(0)}-${s.xMax.toFixed(0)})`;
    log('');
    log(`machine: ${machine}; ${((performance.now() - wall0) / 1000).toFixed(0)} s wall`);
    log('x real time per core, median (min-max) over repetitions:');
    log('| stage | emovox | baseline | baseline x | emovox / baseline |');
    log('|---|---:|---|---:|---:|');
    for (const r of rows) {
      log(
        `| ${r.stage} | ${fmt(r.emovox)} | ${r.baseline?.name ?? '-'} | ${r.baseline ? fmt(r.baseline.speed) : '-'} | ${r.ratio === undefined ? '-' : r.ratio.toFixed(2)} |${r.note ? ` ${r.note}` : ''}`,
      );
    }
    for (const [k, v] of Object.entries(unavailable)) log(`${k}: unavailable (${v})`);
    if (args.json) {
      console.log(
        JSON.stringify({
          machine,
          files: picked.length,
          audioSeconds: seconds16,
          reps: args.reps,
          rows,
          endToEnd: e2e,
          unavailable,
        }),
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
