// `npm run bench:engine [-- --json] [--threads 1,2] [--rounds 2] [--models cnn1d,bilstmAttention,cnn2d] [--scale 1]`
//
// Training and inference speed, emovox vs PyTorch (Debian /usr/bin/python3 + reference/engine_bench.py),
// same model definitions, same shapes, same data (written once as raw float32 files), same thread
// counts. Training: one epoch with Adam at batch 32 after one warm-up step — emovox on the libtorch
// addon, PyTorch in eager mode. Inference: seconds per call at batch 1 and 64 after warm-up —
// emovox through onnxruntime-node (the deployment path, model exported from the trained weights),
// PyTorch under inference_mode (fastest of 5 chunks of calls). Every thread count is run --rounds
// times, interleaving the two engines; each engine is compared at its best thread count and round; PyTorch runs with OPENBLAS_NUM_THREADS=1 (OpenBLAS threads fight PyTorch's own).
// --scale shrinks the datasets for a quick check. The last line of --json output is one JSON object.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Adam,
  engineAvailable,
  engineUnavailableReason,
  manualSeed,
  ops,
  setNumInteropThreads,
  setNumThreads,
  tidy,
  torchVersion,
  type Tensor,
} from '../src/engine/index.js';
import { EmotionSession, type InputTensor } from '../src/infer/session.js';
import type { ModelConfig } from '../src/models/config.js';
import { exportOnnx } from '../src/models/onnx/export.js';
import { SeededRandom } from '../src/models/weights.js';
import { buildModel } from '../src/models/zoo.js';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Inference timing is split into this many chunks of `reps` calls; the fastest chunk counts. */
const CHUNKS = 5;

interface Case {
  name: string;
  config: ModelConfig;
  n: number;
  inputs: Record<string, { shape: number[]; elem: 'float32' | 'int32' }>;
  reps1: number;
  reps64: number;
}

const CASES: Case[] = [
  {
    name: 'cnn1d',
    config: { kind: 'cnn1d', inputDim: 180, classes: 7 },
    n: 4668,
    inputs: { features: { shape: [180], elem: 'float32' } },
    reps1: 200,
    reps64: 10,
  },
  {
    name: 'bilstmAttention',
    config: { kind: 'bilstmAttention', inputDim: 40, classes: 7 },
    n: 512,
    inputs: { frames: { shape: [200, 40], elem: 'float32' }, lengths: { shape: [], elem: 'int32' } },
    reps1: 40,
    reps64: 3,
  },
  {
    name: 'cnn2d',
    config: { kind: 'cnn2d', inputShape: [1, 128, 128], classes: 7 },
    n: 512,
    inputs: { spectrogram: { shape: [1, 128, 128], elem: 'float32' } },
    reps1: 40,
    reps64: 2,
  },
];

interface Args {
  json: boolean;
  threads: number[];
  models: string[];
  scale: number;
  rounds: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { json: false, threads: [1, 2], models: CASES.map((c) => c.name), scale: 1, rounds: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--json') args.json = true;
    else if (a === '--threads') args.threads = value().split(',').map(Number);
    else if (a === '--models') args.models = value().split(',');
    else if (a === '--scale') args.scale = Number(value());
    else if (a === '--rounds') args.rounds = Number(value());
    else throw new Error(`unknown option ${a}`);
  }
  if (args.threads.some((t) => !Number.isInteger(t) || t < 1))
    throw new Error('--threads takes positive integers');
  if (!(args.scale > 0 && args.scale <= 1)) throw new Error('--scale must be in (0, 1]');
  if (!Number.isInteger(args.rounds) || args.rounds < 1) throw new Error('--rounds takes a positive integer');
  return args;
}

interface Dataset {
  n: number;
  inputs: Record<string, InputTensor>;
  labels: Int32Array;
}

function makeData(c: Case, scale: number): Dataset {
  const rng = new SeededRandom(7);
  const n = Math.max(64, Math.round(c.n * scale));
  const inputs: Record<string, InputTensor> = {};
  for (const [name, spec] of Object.entries(c.inputs)) {
    const size = n * spec.shape.reduce((a, b) => a * b, 1);
    // Full-length sequences: the packed path is for ragged batches, timed separately by nobody.
    inputs[name] =
      spec.elem === 'int32'
        ? { data: new Int32Array(size).fill(200), shape: [n, ...spec.shape] }
        : { data: Float32Array.from({ length: size }, () => rng.normal()), shape: [n, ...spec.shape] };
  }
  const labels = Int32Array.from({ length: n }, () => Math.floor(rng.next() * 7));
  return { n, inputs, labels };
}

function slice(t: InputTensor, count: number): InputTensor {
  const row = t.data.length / t.shape[0];
  return {
    data: t.data.subarray(0, count * row),
    shape: [count, ...t.shape.slice(1)],
  };
}

interface Timing {
  trainEpochS: number;
  /** Process CPU seconds of the epoch: with 1 thread, robust to other load on the machine. */
  trainCpuS: number;
  inferS: { b1: number; b64: number };
}

async function emovoxRun(c: Case, data: Dataset, threads: number): Promise<Timing> {
  setNumThreads(threads);
  manualSeed(0);
  const model = buildModel(c.config);
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const all: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(data.inputs)) all[k] = ops.tensor(t.data, { shape: t.shape });
  const labels = ops.tensor(
    BigInt64Array.from(data.labels, (v) => BigInt(v)),
    { shape: [data.n] },
  );
  const step = (lo: number, hi: number) =>
    tidy(() => {
      const x: Record<string, Tensor> = {};
      for (const [k, t] of Object.entries(all)) x[k] = t.slice(0, lo, hi);
      const loss = ops.crossEntropy(model.forward(x), labels.slice(0, lo, hi));
      opt.zeroGrad();
      loss.backward();
      opt.step();
    });
  model.train();
  step(0, 32);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let lo = 0; lo < data.n; lo += 32) step(lo, Math.min(lo + 32, data.n));
  const trainEpochS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const trainCpuS = (cpu.user + cpu.system) / 1e6;
  model.eval();
  const bytes = exportOnnx(c.config, model.stateDict());
  opt.dispose();
  model.dispose();
  for (const t of [...Object.values(all), labels]) t.dispose();
  const session = await EmotionSession.load(bytes, { threads });
  const inferS = { b1: 0, b64: 0 };
  for (const [key, batch, reps] of [
    ['b1', 1, c.reps1],
    ['b64', 64, c.reps64],
  ] as const) {
    const feeds: Record<string, InputTensor> = {};
    for (const [k, t] of Object.entries(data.inputs)) feeds[k] = slice(t, batch);
    for (let i = 0; i < 3; i++) await session.run(feeds);
    // Best of CHUNKS chunks: other processes on a shared machine only ever add time.
    let bestS = Infinity;
    for (let chunk = 0; chunk < CHUNKS; chunk++) {
      const s0 = performance.now();
      for (let i = 0; i < reps; i++) await session.run(feeds);
      bestS = Math.min(bestS, (performance.now() - s0) / 1000 / reps);
    }
    inferS[key] = bestS;
  }
  await session.release();
  return { trainEpochS, trainCpuS, inferS };
}

function pytorchRun(c: Case, data: Dataset, threads: number, dir: string): Timing {
  const files: Record<string, { path: string; shape: number[]; dtype: string }> = {};
  for (const [k, t] of Object.entries(data.inputs)) {
    const path = join(dir, `${c.name}.${k}.bin`);
    writeFileSync(path, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    files[k] = { path, shape: t.shape, dtype: t.data instanceof Int32Array ? 'int32' : 'float32' };
  }
  const labelsPath = join(dir, `${c.name}.labels.bin`);
  writeFileSync(labelsPath, new Uint8Array(data.labels.buffer));
  const request = join(dir, `${c.name}.request.json`);
  writeFileSync(
    request,
    JSON.stringify({
      threads,
      models: [
        {
          name: c.name,
          config: c.config,
          batch: 32,
          inputs: files,
          labels: { path: labelsPath, shape: [data.n], dtype: 'int32' },
          reps1: c.reps1,
          reps64: c.reps64,
        },
      ],
    }),
  );
  const env = {
    ...process.env,
    OPENBLAS_NUM_THREADS: '1',
    OMP_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
  };
  const r = spawnSync('/usr/bin/python3', [join(root, 'reference/engine_bench.py'), request], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`PyTorch bench failed: ${r.stderr || r.error?.message}`);
  const lines = r.stdout.trim().split('\n');
  const out = JSON.parse(lines[lines.length - 1]) as { models: Record<string, Timing> };
  return out.models[c.name];
}

interface Compared {
  emovoxS: number;
  pytorchS: number;
  ratio: number;
  emovoxThreads: number;
  pytorchThreads: number;
}

function best(runs: Array<{ threads: number; s: number }>): { threads: number; s: number } {
  return runs.reduce((a, b) => (b.s < a.s ? b : a));
}

function compare(
  e: Array<{ threads: number; s: number }>,
  p: Array<{ threads: number; s: number }>,
): Compared {
  const be = best(e);
  const bp = best(p);
  return {
    emovoxS: be.s,
    pytorchS: bp.s,
    ratio: be.s / bp.s,
    emovoxThreads: be.threads,
    pytorchThreads: bp.threads,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // libtorch here links OpenBLAS, whose own threads fight libtorch's unless limited; the addon is
  // loaded lazily, so setting the variable now (before its first use) takes effect, as it does for
  // the PyTorch child process.
  process.env.OPENBLAS_NUM_THREADS ??= '1';
  if (!engineAvailable()) throw new Error(`libtorch addon not available: ${engineUnavailableReason()}`);
  setNumInteropThreads(1);
  const dir = join(root, '.bench', 'engine');
  mkdirSync(dir, { recursive: true });
  const log = (s: string) => console.log(s);
  log(
    `emovox engine bench: libtorch ${torchVersion()}, ${cpus().length} CPUs, load ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' ')}`,
  );
  log(
    `threads tried per engine: ${args.threads.join(', ')} (interop threads 1; OPENBLAS_NUM_THREADS=${process.env.OPENBLAS_NUM_THREADS} for emovox, 1 for PyTorch)`,
  );
  const results: Record<
    string,
    {
      n: number;
      train: Compared & { emovoxCpuS: number; pytorchCpuS: number };
      inferBatch1: Compared;
      inferBatch64: Compared;
    }
  > = {};
  try {
    for (const c of CASES.filter((x) => args.models.includes(x.name))) {
      const data = makeData(c, args.scale);
      const e: Array<Timing & { threads: number }> = [];
      const p: Array<Timing & { threads: number }> = [];
      for (let round = 0; round < args.rounds; round++)
        for (const t of args.threads) {
          e.push({ threads: t, ...(await emovoxRun(c, data, t)) });
          p.push({ threads: t, ...pytorchRun(c, data, t, dir) });
          for (const [who, r] of [
            ['emovox ', e[e.length - 1]],
            ['pytorch', p[p.length - 1]],
          ] as const) {
            log(
              `  ${c.name.padEnd(16)} ${who} threads=${t}: epoch ${r.trainEpochS.toFixed(3)} s (cpu ${r.trainCpuS.toFixed(3)} s), infer b1 ${(r.inferS.b1 * 1000).toFixed(3)} ms, b64 ${(r.inferS.b64 * 1000).toFixed(2)} ms`,
            );
          }
        }
      const pick = (runs: typeof e, f: (r: Timing) => number) =>
        runs.map((r) => ({ threads: r.threads, s: f(r) }));
      results[c.name] = {
        n: data.n,
        train: {
          ...compare(
            pick(e, (r) => r.trainEpochS),
            pick(p, (r) => r.trainEpochS),
          ),
          emovoxCpuS: Math.min(...e.map((r) => r.trainCpuS)),
          pytorchCpuS: Math.min(...p.map((r) => r.trainCpuS)),
        },
        inferBatch1: compare(
          pick(e, (r) => r.inferS.b1),
          pick(p, (r) => r.inferS.b1),
        ),
        inferBatch64: compare(
          pick(e, (r) => r.inferS.b64),
          pick(p, (r) => r.inferS.b64),
        ),
      };
      const r = results[c.name];
      log(
        `${c.name}: train ratio ${r.train.ratio.toFixed(2)} (${r.train.emovoxS.toFixed(3)} s vs ${r.train.pytorchS.toFixed(3)} s), ` +
          `inference speed-up b1 ${(1 / r.inferBatch1.ratio).toFixed(2)}x, b64 ${(1 / r.inferBatch64.ratio).toFixed(2)}x`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (args.json) {
    console.log(
      JSON.stringify({
        bench: 'engine',
        note: 'ratio = emovox seconds / PyTorch seconds, each at its best thread count; inference emovox = onnxruntime-node',
        threadsTried: args.threads,
        scale: args.scale,
        loadavg: loadavg(),
        results,
      }),
    );
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
