import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineSkip } from '../models/engine-helpers.js';
import { repoRoot } from '../helpers/data.js';
import { syntheticRavdessFixture } from '../helpers/synthetic-corpus.js';

const skip = engineSkip();
const { temp, corpus } = syntheticRavdessFixture('emovox-interrupt-test-', {
  actors: 24,
  emotions: [1, 3, 4, 5],
  durationS: 0.5,
});

test(
  'Ctrl-C during a fold stops `emovox train` after the current epoch: exit 130, a resumable checkpoint, the fold unfinished',
  { skip, timeout: 240_000 },
  async () => {
    const recipe = join(temp, 'long.yaml');
    // Thousands of short epochs: the first fold alone would take minutes.
    writeFileSync(
      recipe,
      [
        'name: long',
        'seed: 1',
        `data: { corpora: [${JSON.stringify(corpus())}], cache: ${JSON.stringify(join(temp, 'cache'))}, workers: 0 }`,
        'features: { features: { kind: vector, sets: [{ name: functionals, params: { stats: [mean, std] } }] } }',
        'protocol: { name: "folds:ravdess6" }',
        'model: { kind: mlp, hidden: [16] }',
        'training: { epochs: 5000, batchSize: 8, optimizer: { lr: 0.001 }, earlyStopping: { patience: 0 } }',
        '',
      ].join('\n'),
    );
    const out = join(temp, 'run');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), 'train', recipe, '--out', out],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // A loop that never lets the signal handler run would train for minutes: fail instead.
    const guard = setTimeout(() => child.kill('SIGKILL'), 180_000);
    let stderr = '';
    let sent = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      // A few epochs into the first fold: the run is inside the training loop.
      if (!sent && /epoch 3\/5000/.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(guard);
    assert.ok(sent, `no epoch line seen:\n${stderr.slice(-2000)}`);
    assert.equal(code, 130, stderr.slice(-2000));
    assert.match(stderr, /stopping after this epoch/);
    const epochs = [...stderr.matchAll(/epoch (\d+)\/5000/g)].map((m) => Number(m[1]));
    assert.ok(
      Math.max(...epochs) < 100,
      `stopped at epoch ${Math.max(...epochs)}, not right after the signal`,
    );
    assert.ok(existsSync(join(out, 'checkpoints', 'fold-01.ckpt')), 'the last epoch left a checkpoint');
    assert.ok(!existsSync(join(out, 'folds', 'fold-01.json')), 'the fold did not finish');
    assert.doesNotMatch(readFileSync(join(out, 'train.log'), 'utf8'), /fold 1\/6: UA/);
  },
);

test(
  'SIGTERM to a parallel `emovox train --jobs 2` stops every job after its epoch: exit 130, checkpoints, no job left running',
  { skip: skip || !existsSync('/proc/self/stat'), timeout: 240_000 },
  async () => {
    const recipe = join(temp, 'long-jobs.yaml');
    writeFileSync(
      recipe,
      [
        'name: long-jobs',
        'seed: 1',
        `data: { corpora: [${JSON.stringify(corpus())}], cache: ${JSON.stringify(join(temp, 'cache'))}, workers: 0 }`,
        'features: { features: { kind: vector, sets: [{ name: functionals, params: { stats: [mean, std] } }] } }',
        'protocol: { name: "folds:ravdess6" }',
        'model: { kind: mlp, hidden: [16] }',
        'training: { epochs: 5000, batchSize: 8, optimizer: { lr: 0.001 }, earlyStopping: { patience: 0 }, threads: 1 }',
        '',
      ].join('\n'),
    );
    const out = join(temp, 'run-jobs');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot, 'src', 'cli', 'main.ts'),
        'train',
        recipe,
        '--out',
        out,
        '--jobs',
        '2',
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const guard = setTimeout(() => child.kill('SIGKILL'), 180_000);
    const childrenOf = (pid: number) =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            // Fields after the command name: state, ppid.
            const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
            return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
          } catch {
            return false;
          }
        })
        .map(Number);
    let stderr = '';
    let jobs: number[] = [];
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      // Both jobs (the final model and fold 1) are inside their training loops.
      if (
        jobs.length === 0 &&
        /final model \| epoch 3\//.test(stderr) &&
        /fold 1\/6 \| epoch 3\//.test(stderr)
      ) {
        jobs = childrenOf(child.pid!);
        child.kill('SIGTERM');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(guard);
    assert.equal(jobs.length, 2, `job processes seen: ${jobs.join(', ')}\n${stderr.slice(-2000)}`);
    assert.equal(code, 130, stderr.slice(-2000));
    assert.match(stderr, /interrupt \(SIGTERM\): stopping after this epoch/);
    for (const pid of jobs) assert.ok(!existsSync(`/proc/${pid}`), `job ${pid} still running`);
    assert.ok(existsSync(join(out, 'checkpoints', 'fold-01.ckpt')));
    assert.ok(existsSync(join(out, 'checkpoints', 'final.ckpt')));
    assert.ok(!existsSync(join(out, 'folds', 'fold-01.json')), 'the fold did not finish');
    assert.ok(!existsSync(join(out, 'model')));
  },
);
