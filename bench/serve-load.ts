// `npm run bench:serve [-- --connections 200] [--requests 2000] [--repeat 3] [--workers N] [--json]`
//
// Load test of `emovox serve` on the loopback interface only (run `npm run build` first):
//  - starts the compiled service in its own process (`node dist/cli/main.js serve --port 0`),
//  - warms it up, records its memory (RSS and heap from /health) as the baseline,
//  - `--connections` clients (default 200) post a 3 s speech-like WAV clip (16 kHz, 16-bit) to
//    /v1/recognize with autocannon until `--requests` (default 2000) are answered, `--repeat`
//    times; each run is bounded in count and time (--max-seconds, default 300),
//  - reports throughput (requests/s), latency p50/p90/p99, errors (connection errors, timeouts,
//    non-2xx; 0 expected) and the service's memory after the runs and 5 s of rest against the
//    baseline,
//  - against a baseline measured in the same run: recognize() in this process, one clip after
//    another on one thread (the work without HTTP, queueing or worker threads).
// The machine is shared: the load average is printed before and after; runs are reported as
// median [min-max].
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { benchArgs } from './cli-args.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { value, json, log } = benchArgs();
const connections = Number(value('--connections', '200'));
const requests = Number(value('--requests', '2000'));
const repeat = Number(value('--repeat', '3'));
const maxSeconds = Number(value('--max-seconds', '300'));
const workers = value('--workers', '');
const cli = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(cli)) {
  console.error('bench:serve measures the compiled package: run `npm run build` first');
  process.exit(2);
}
if (!(connections >= 1 && connections <= 1000 && requests >= connections && requests <= 100_000)) {
  console.error('--connections must be 1..1000 and --requests connections..100000');
  process.exit(2);
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  latency: Record<string, number>;
  requests: { total: number; sent: number };
}
type Autocannon = ((opts: Record<string, unknown>) => Promise<AutocannonResult> & { stop?: () => void }) & {
  track?: unknown;
};
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const dist = (p: string) => new URL(`../dist/${p}`, import.meta.url).href;
const { encodeWav, synthesizeSpeechLike } = (await import(
  dist('audio/index.js')
)) as typeof import('../src/audio/index.js');
const { recognize } = (await import(
  dist('infer/recognizer.js')
)) as typeof import('../src/infer/recognizer.js');

const clip = encodeWav([synthesizeSpeechLike({ durationS: 3, sampleRate: 16000, seed: 11 })], 16000);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[], digits = 1) =>
  `${median(xs).toFixed(digits)} [${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)}]`;
const mb = (bytes: number) => bytes / 2 ** 20;

log(`cores ${availableParallelism()}, load average before: ${load()}`);

// Baseline: recognize() on this thread, clip after clip.
await recognize(clip);
const baselineTimes: number[] = [];
for (let r = 0; r < 3; r++) {
  const started = performance.now();
  for (let i = 0; i < 30; i++) await recognize(clip);
  baselineTimes.push(30 / ((performance.now() - started) / 1000));
}
const baselineRps = median(baselineTimes);
log(`baseline recognize() in process, one thread: ${spread(baselineTimes)} clips/s`);

// The service, in its own process.
const serveArgs = [
  cli,
  'serve',
  '--port',
  '0',
  '--host',
  '127.0.0.1',
  '--max-queue',
  String(connections + 56),
];
if (workers) serveArgs.push('--workers', workers);
const child = spawn(process.execPath, serveArgs, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (m) resolve(m[1]);
  });
  child.once('exit', (code) => reject(new Error(`emovox serve exited with ${code} before listening`)));
});
const stopServer = () => {
  if (child.exitCode === null) child.kill('SIGTERM');
};
process.once('exit', stopServer);

interface Health {
  workers: number;
  memory: { rssBytes: number; heapUsedBytes: number };
}
const health = async () => (await (await fetch(`${url}/health`)).json()) as Health;

async function run(amount: number): Promise<AutocannonResult> {
  const instance = autocannon({
    url: `${url}/v1/recognize`,
    method: 'POST',
    headers: { 'content-type': 'audio/wav' },
    body: Buffer.from(clip),
    connections,
    amount,
    timeout: maxSeconds,
  });
  const timer = setTimeout(() => instance.stop?.(), maxSeconds * 1000);
  try {
    return await instance;
  } finally {
    clearTimeout(timer);
  }
}

// Warm-up: every connection once, so sockets, buffers and both workers are in their steady state.
await run(connections);
await new Promise((r) => setTimeout(r, 2000));
const before = await health();
log(
  `service: ${before.workers} worker threads, ${url}; memory after warm-up: RSS ${mb(before.memory.rssBytes).toFixed(0)} MB, heap ${mb(before.memory.heapUsedBytes).toFixed(0)} MB`,
);

const runs: {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  ok: number;
  seconds: number;
}[] = [];
for (let r = 0; r < repeat; r++) {
  const res = await run(requests);
  const errors = res.errors + res.timeouts + res.non2xx;
  runs.push({
    rps: res['2xx'] / res.duration,
    p50: res.latency.p50,
    p90: res.latency.p90,
    p99: res.latency.p99,
    errors,
    ok: res['2xx'],
    seconds: res.duration,
  });
  log(
    `run ${r + 1}: ${res['2xx']} x 200 in ${res.duration.toFixed(1)} s = ${(res['2xx'] / res.duration).toFixed(1)} req/s; ` +
      `latency p50 ${res.latency.p50} ms, p90 ${res.latency.p90} ms, p99 ${res.latency.p99} ms; errors ${errors} ` +
      `(connection ${res.errors}, timeouts ${res.timeouts}, non-2xx ${res.non2xx}); load ${load()}`,
  );
}
await new Promise((r) => setTimeout(r, 5000));
const after = await health();
stopServer();

const rss = [mb(before.memory.rssBytes), mb(after.memory.rssBytes)];
const heap = [mb(before.memory.heapUsedBytes), mb(after.memory.heapUsedBytes)];
// "Returns to baseline": RSS within 10 % (at least 32 MB) of the warmed-up value.
const memoryOk = rss[1] <= rss[0] + Math.max(32, 0.1 * rss[0]);
const rpsList = runs.map((r) => r.rps);
const summary = {
  connections,
  requestsPerRun: requests,
  runs: runs.length,
  workers: before.workers,
  clip: '3 s, 16 kHz, 16-bit mono WAV (96 KB)',
  throughputRps: { median: median(rpsList), min: Math.min(...rpsList), max: Math.max(...rpsList) },
  latencyMs: {
    p50: median(runs.map((r) => r.p50)),
    p90: median(runs.map((r) => r.p90)),
    p99: median(runs.map((r) => r.p99)),
  },
  errors: runs.reduce((n, r) => n + r.errors, 0),
  baselineInProcessRps: baselineRps,
  ratioToBaseline: median(rpsList) / baselineRps,
  memoryMb: {
    rssBaseline: rss[0],
    rssAfter: rss[1],
    heapBaseline: heap[0],
    heapAfter: heap[1],
    returnedToBaseline: memoryOk,
  },
  loadAverageAfter: load(),
};
if (json) console.log(JSON.stringify(summary, null, 2));
else {
  log('');
  log(
    `throughput ${spread(rpsList)} req/s (median [min-max] of ${runs.length} runs of ${requests}), ` +
      `${summary.ratioToBaseline.toFixed(2)}x the in-process one-thread baseline (${baselineRps.toFixed(1)} clips/s)`,
  );
  log(
    `latency p50 ${spread(
      runs.map((r) => r.p50),
      0,
    )} ms, p99 ${spread(
      runs.map((r) => r.p99),
      0,
    )} ms`,
  );
  log(`errors ${summary.errors}`);
  log(
    `memory: RSS ${rss[0].toFixed(0)} -> ${rss[1].toFixed(0)} MB, heap ${heap[0].toFixed(0)} -> ${heap[1].toFixed(0)} MB after 5 s of rest: ${memoryOk ? 'back to baseline' : 'NOT back to baseline'}`,
  );
  log(`load average after: ${load()}`);
}
process.exitCode = summary.errors === 0 && memoryOk ? 0 : 1;
