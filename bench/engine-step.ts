// Micro-benchmark: ms per training step (forward + backward + Adam) of a small MLP and a small
// CNN on the emovox libtorch engine vs PyTorch eager (reference/engine_step_bench.py), same
// shapes and thread counts; PyTorch runs with OPENBLAS_NUM_THREADS=1.
// Usage: npx tsx bench/engine-step.ts [--threads 1,2] [--steps 50]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  Adam,
  engineAvailable,
  engineUnavailableReason,
  init,
  manualSeed,
  ops,
  setNumThreads,
  tidy,
  torchVersion,
  type Tensor,
} from '../src/engine/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const threadCounts = arg('--threads', '1,2').split(',').map(Number);
const steps = Number(arg('--steps', '50'));

function mlpCase(): { params: Tensor[]; loss: () => Tensor } {
  const l1 = init.linearParams(256, 512);
  const l2 = init.linearParams(512, 512);
  const l3 = init.linearParams(512, 10);
  const x = ops.randn([256, 256]);
  const y = ops.randint(0, 10, [256]);
  return {
    params: [l1.weight, l1.bias!, l2.weight, l2.bias!, l3.weight, l3.bias!],
    loss: () =>
      ops.crossEntropy(
        ops.linear(
          ops.linear(ops.linear(x, l1.weight, l1.bias).relu(), l2.weight, l2.bias).relu(),
          l3.weight,
          l3.bias,
        ),
        y,
      ),
  };
}

function cnnCase(): { params: Tensor[]; loss: () => Tensor } {
  const c1 = init.conv2dParams(1, 16, 3);
  const bn = init.batchNormParams(16);
  const c2 = init.conv2dParams(16, 32, 3);
  const fc = init.linearParams(32, 10);
  const x = ops.randn([32, 1, 64, 64]);
  const y = ops.randint(0, 10, [32]);
  return {
    params: [c1.weight, c1.bias!, bn.weight, bn.bias, c2.weight, c2.bias!, fc.weight, fc.bias!],
    loss: () => {
      let h = ops.conv2d(x, c1.weight, c1.bias, { padding: 1 });
      h = ops.maxPool2d(ops.batchNorm(h, { ...bn, training: true }).relu(), 2);
      h = ops.adaptiveAvgPool2d(ops.conv2d(h, c2.weight, c2.bias, { padding: 1 }).relu(), 1).flatten(1);
      return ops.crossEntropy(ops.linear(h, fc.weight, fc.bias), y);
    },
  };
}

function msPerStep(make: () => { params: Tensor[]; loss: () => Tensor }): number {
  const { params, loss } = make();
  const opt = new Adam(params, { lr: 1e-3 });
  const step = () =>
    tidy(() => {
      opt.zeroGrad();
      loss().backward();
      opt.step();
    });
  for (let i = 0; i < 5; i++) step();
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step();
    runs.push((performance.now() - t0) / steps);
  }
  opt.dispose();
  return runs.sort((a, b) => a - b)[1];
}

if (!engineAvailable()) {
  console.error(`engine unavailable: ${engineUnavailableReason()}`);
  process.exit(1);
}
console.log(`libtorch ${torchVersion()}, ${steps} steps x 3 runs (median), Adam`);
console.log('threads  model  emovox ms/step  pytorch ms/step  ratio');
for (const threads of threadCounts) {
  setNumThreads(threads);
  manualSeed(0);
  const ours = { mlp: msPerStep(mlpCase), cnn: msPerStep(cnnCase) };
  const py = spawnSync(
    '/usr/bin/python3',
    ['reference/engine_step_bench.py', String(threads), String(steps)],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
    },
  );
  if (py.status !== 0) throw new Error(`PyTorch side failed: ${py.stderr}`);
  const theirs = JSON.parse(py.stdout.trim().split('\n').pop()!) as { mlp: number; cnn: number };
  for (const m of ['mlp', 'cnn'] as const) {
    console.log(
      `${String(threads).padStart(7)}  ${m}    ${ours[m].toFixed(2).padStart(14)}  ${theirs[m].toFixed(2).padStart(15)}  ${(ours[m] / theirs[m]).toFixed(2)}`,
    );
  }
}
