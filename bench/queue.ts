// `npm run bench:queue [-- --files N] [--reps R] [--workers 1,2,4] [--pings N] [--job-size N] [--json]`
//
// Throughput of `emovox features --queue` with 1, 2 and 4 local `emovox worker` processes (one
// thread each) against a local run measured in the same invocation, and the queue's own cost per
// job. Starts its own redis-server on 127.0.0.1 (free port, temp folder, no persistence) and
// stops it after.
// - features: mfcc40 over N files (RAVDESS from ../shared/data or $EMOVOX_DATA when present, else
//   synthetic 2 s WAVs), no feature cache, jobs of --job-size files; wall time from the first
//   enqueue to the gathered result (workers started and warmed up by an untimed run of two jobs
//   each before the clock starts); the local baselines are extractFeatures() with one and two
//   worker threads in this process (`local`, `local-2`).
// - overhead: --pings jobs of one `ping` item each (a job that stores one outcome and does
//   nothing else), on 1 worker and on 4 workers: wall time / jobs = the queue's cost per job
//   (enqueue, fetch, lock, store the outcome, mark the chunk, complete, gather).
// - Redis CPU: the server's user + system CPU (INFO cpu) over each phase, per ping job and per
//   feature file: what bounds one Redis when many workers share it (docs/queue.md).
// Repetitions are interleaved; the report gives the median and the min-max spread.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWav, synthesizeSpeechLike } from '../src/audio/index.js';
import { extractFeatures } from '../src/extract/extract.js';
import { featureSpec } from '../src/features/sets.js';
import { runOnQueue, type PlannedJob } from '../src/queue/client.js';
import { extractOnQueue } from '../src/queue/features-client.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'src', 'cli', 'main.ts');
const tsx = import.meta.resolve('tsx');

interface Args {
  files: number;
  reps: number;
  workers: number[];
  pings: number;
  jobSize: number;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { files: 240, reps: 3, workers: [1, 2, 4], pings: 1000, jobSize: 16, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--files') args.files = Number(next());
    else if (a === '--reps') args.reps = Number(next());
    else if (a === '--workers') args.workers = next().split(',').map(Number);
    else if (a === '--pings') args.pings = Number(next());
    else if (a === '--job-size') args.jobSize = Number(next());
    else if (a === '--json') args.json = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function startRedis(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG')
      return { url: `redis://127.0.0.1:${port}`, child };
    await sleep(50);
  }
  throw new Error('redis-server did not start');
}

/** Starts `n` workers (one thread each, no cache) and waits until each is connected. */
async function startWorkers(url: string, n: number): Promise<ChildProcess[]> {
  const children = Array.from({ length: n }, () =>
    spawn(
      process.execPath,
      ['--import', tsx, cli, 'worker', '--queue', url, '--workers', '1', '--no-cache'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    ),
  );
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((ready, fail) => {
          let log = '';
          c.stderr.setEncoding('utf8').on('data', (s: string) => {
            if (log.length < 4096) log += s;
            if (/emovox worker \S+ on /.test(log)) ready();
          });
          c.once('exit', (code) => fail(new Error(`worker exited (${code}): ${log}`)));
        }),
    ),
  );
  return children;
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((done) => {
          if (c.exitCode !== null) return done();
          c.once('exit', () => done());
          c.kill('SIGTERM');
        }),
    ),
  );
}

function corpus(n: number, temp: string): { files: string[]; origin: string } {
  const data = process.env.EMOVOX_DATA ?? join(root, '..', 'shared', 'data');
  const ravdess = join(data, 'ravdess', 'Audio_Speech_Actors_01-24');
  try {
    const files = readdirSync(ravdess, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.flac'))
      .sort()
      .slice(0, n)
      .map((f) => join(ravdess, f));
    if (files.length === n) return { files, origin: `RAVDESS (${ravdess})` };
  } catch {
    // synthetic below
  }
  const files = Array.from({ length: n }, (_, i) => {
    const path = join(temp, `clip-${String(i).padStart(4, '0')}.wav`);
    writeFileSync(path, encodeWav(synthesizeSpeechLike({ durationS: 2, seed: i + 1 }), 16000));
    return path;
  });
  return { files, origin: 'synthetic 2 s WAVs' };
}

/** Redis server CPU seconds so far (user + system, from INFO cpu). */
function redisCpu(url: string): number {
  const info = spawnSync('redis-cli', ['-p', new URL(url).port, 'info', 'cpu'], { encoding: 'utf8' }).stdout;
  const get = (k: string) => Number(new RegExp(`${k}:([0-9.]+)`).exec(info)?.[1] ?? NaN);
  return get('used_cpu_user') + get('used_cpu_sys');
}

function stats(xs: number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const temp = mkdtempSync(join(tmpdir(), 'emovox-bench-queue-'));
  const redis = await startRedis(temp);
  const spec = featureSpec('mfcc40', {});
  const { files, origin } = corpus(args.files, temp);
  const address = { url: redis.url };
  const times: Record<string, number[]> = { local: [], 'local-2': [] };
  for (const w of args.workers) times[`queue-${w}`] = [];
  const pingTimes: Record<string, number[]> = { 'ping-1': [], 'ping-4': [] };
  // Redis CPU ms per ping job and per feature file (the server's share of the cost).
  const redisPerJob: number[] = [];
  const redisPerFile: number[] = [];
  let checksum = '';
  let valueBytes = 0;
  try {
    console.error(
      `bench:queue: ${files.length} files (${origin}), mfcc40, jobs of ${args.jobSize}, ${args.reps} reps; ` +
        `${availableParallelism()} cores, load ${loadavg()
          .map((x) => x.toFixed(1))
          .join(' ')}`,
    );
    for (let rep = 0; rep < args.reps; rep++) {
      let t = performance.now();
      const local = await extractFeatures(files, spec, { workers: 1, cache: false });
      times.local.push((performance.now() - t) / 1000);
      t = performance.now();
      await extractFeatures(files, spec, { workers: 2, cache: false });
      times['local-2'].push((performance.now() - t) / 1000);
      const localSum = local.results.reduce((a, r) => a + (r.value.matrix?.data[0] ?? 0), 0);
      for (const n of args.workers) {
        const workers = await startWorkers(redis.url, n);
        try {
          // Untimed warm-up: every worker starts its thread pool (decoder and FFT wasm) on its
          // first job; the timed run measures the steady state.
          await extractOnQueue(files.slice(0, Math.min(files.length, 2 * n * args.jobSize)), spec, {
            address,
            cache: false,
            jobSize: args.jobSize,
            pollMs: 50,
          });
          t = performance.now();
          const cpu0 = redisCpu(redis.url);
          const queued = await extractOnQueue(files, spec, {
            address,
            cache: false,
            jobSize: args.jobSize,
            pollMs: 50,
          });
          times[`queue-${n}`].push((performance.now() - t) / 1000);
          redisPerFile.push((1000 * (redisCpu(redis.url) - cpu0)) / files.length);
          const sum = queued.results.reduce((a, r) => a + (r.value.matrix?.data[0] ?? 0), 0);
          if (sum !== localSum || queued.results.length !== local.results.length)
            throw new Error(`queue-${n}: results differ from the local run`);
          checksum = String(sum);
          valueBytes =
            queued.results.reduce(
              (a, r) => a + 4 * (r.value.matrix?.data.length ?? r.value.vector?.length ?? 0),
              0,
            ) / queued.results.length;
          if (n === 1 || n === 4) {
            const jobs: PlannedJob[] = Array.from({ length: args.pings }, (_, chunk) => ({
              v: 1,
              kind: 'ping',
              chunk,
              items: [{ index: chunk }],
            }));
            t = performance.now();
            const pingCpu0 = redisCpu(redis.url);
            await (
              await runOnQueue({ kind: 'ping', items: args.pings, jobs }, { address, pollMs: 20 })
            ).finish();
            pingTimes[`ping-${n}`].push((performance.now() - t) / 1000);
            redisPerJob.push((1000 * (redisCpu(redis.url) - pingCpu0)) / args.pings);
          }
        } finally {
          await stopWorkers(workers);
        }
      }
      console.error(
        `rep ${rep + 1}: ` +
          Object.entries(times)
            .map(([k, v]) => `${k} ${v[rep].toFixed(2)} s`)
            .join(', ') +
          `; ${args.pings} pings: 1 worker ${pingTimes['ping-1'][rep]?.toFixed(2)} s, 4 workers ${pingTimes['ping-4'][rep]?.toFixed(2)} s`,
      );
    }
  } finally {
    redis.child.kill('SIGKILL');
    rmSync(temp, { recursive: true, force: true });
  }
  const local = stats(times.local);
  const one = stats(times[`queue-${args.workers[0]}`]);
  const rows = Object.entries(times).map(([k, v]) => {
    const s = stats(v);
    return {
      run: k,
      medianS: s.median,
      minS: s.min,
      maxS: s.max,
      filesPerS: files.length / s.median,
      vsLocal: local.median / s.median,
      vsOneWorker: one.median / s.median,
    };
  });
  const overhead = Object.fromEntries(
    Object.entries(pingTimes).map(([k, v]) => {
      const s = stats(v);
      return [
        k,
        {
          medianMsPerJob: (1000 * s.median) / args.pings,
          minMs: (1000 * s.min) / args.pings,
          maxMs: (1000 * s.max) / args.pings,
        },
      ];
    }),
  );
  const lines = [
    `| run | wall s (median, min-max) | files/s | vs local (1 thread) | vs 1 worker |`,
    `|---|---:|---:|---:|---:|`,
    ...rows.map(
      (r) =>
        `| ${r.run} | ${r.medianS.toFixed(2)} (${r.minS.toFixed(2)}-${r.maxS.toFixed(2)}) | ${r.filesPerS.toFixed(1)} | ${r.vsLocal.toFixed(2)}x | ${r.vsOneWorker.toFixed(2)}x |`,
    ),
    '',
    `queue overhead per job (${args.pings} one-item ping jobs): ` +
      Object.entries(overhead)
        .map(
          ([k, o]) =>
            `${k.replace('ping-', '')} worker(s) ${o.medianMsPerJob.toFixed(2)} ms (${o.minMs.toFixed(2)}-${o.maxMs.toFixed(2)})`,
        )
        .join(', '),
    `Redis CPU per ping job ${stats(redisPerJob).median.toFixed(3)} ms (${stats(redisPerJob).min.toFixed(3)}-${stats(redisPerJob).max.toFixed(3)}), ` +
      `per feature file ${stats(redisPerFile).median.toFixed(3)} ms (${stats(redisPerFile).min.toFixed(3)}-${stats(redisPerFile).max.toFixed(3)}; includes storing its value and the client's polling)`,
    `feature value per file: ${(valueBytes / 1024).toFixed(1)} KiB through Redis`,
  ];
  console.log(lines.join('\n'));
  if (args.json)
    console.log(
      JSON.stringify({
        files: files.length,
        origin,
        jobSize: args.jobSize,
        reps: args.reps,
        rows,
        overhead,
        redisCpuMsPerJob: stats(redisPerJob),
        redisCpuMsPerFile: stats(redisPerFile),
        valueBytesPerFile: valueBytes,
        checksum,
      }),
    );
}

await main();
