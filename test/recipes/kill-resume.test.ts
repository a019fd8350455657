// A training process killed with SIGKILL (no chance to clean up) leaves a folder that
// `emovox train --resume` finishes with exactly the metrics of an uninterrupted run.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMetricsJson } from '../../src/report/index.js';
import { repoRoot } from '../helpers/data.js';
import { makeSyntheticRavdess, removeSynthetic } from '../helpers/synthetic-corpus.js';
import { engineSkip } from '../models/engine-helpers.js';

const skip = engineSkip();
const temp = mkdtempSync(join(tmpdir(), 'emovox-kill-test-'));
let corpus = '';
before(() => {
  corpus = makeSyntheticRavdess({ actors: 24, emotions: [1, 3, 4, 5], durationS: 0.5 });
});
after(() => {
  removeSynthetic(corpus);
  rmSync(temp, { recursive: true, force: true });
});

const cli = ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), 'train'];

function sets(): string[] {
  return [
    `data.corpora=[${corpus}]`,
    `data.cache=${join(temp, 'cache')}`,
    'data.workers=0',
    'training.epochs=40',
    'training.batchSize=8',
    'training.earlyStopping.patience=0',
    'model.hidden=[128]',
  ].flatMap((s) => ['--set', s]);
}

function waitFor(path: string, timeoutMs: number): Promise<void> {
  const start = Date.now();
  return new Promise((resolveWait, reject) => {
    const poll = () => {
      if (existsSync(path)) resolveWait();
      else if (Date.now() - start > timeoutMs) reject(new Error(`${path} did not appear`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

test('SIGKILL mid-training, then --resume: same metrics.json as an uninterrupted run', { skip }, async () => {
  const recipe = join(repoRoot, 'recipes', 'mlp-mfcc-stats.yaml');
  const full = join(temp, 'full');
  const done = spawnSync(process.execPath, [...cli, recipe, ...sets(), '--folds', '1,2', '--out', full], {
    encoding: 'utf8',
    cwd: repoRoot,
  });
  assert.equal(done.status, 0, done.stderr);

  const killed = join(temp, 'killed');
  const child = spawn(process.execPath, [...cli, recipe, ...sets(), '--folds', '1,2', '--out', killed], {
    cwd: repoRoot,
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  // Kill it while the second fold trains: fold 1 is finished, fold 2 has a checkpoint.
  await waitFor(join(killed, 'checkpoints', 'fold-02.ckpt'), 120_000);
  child.kill('SIGKILL');
  await exited;
  assert.ok(!existsSync(join(killed, 'metrics.json')), 'no metrics.json from a killed run');
  assert.ok(!existsSync(join(killed, 'model', 'model.json')), 'no model from a killed run');

  const resumed = spawnSync(process.execPath, [...cli, '--resume', killed, '--folds', '1,2'], {
    encoding: 'utf8',
    cwd: repoRoot,
  });
  assert.equal(resumed.status, 0, resumed.stderr);
  const a = parseMetricsJson(readFileSync(join(full, 'metrics.json'), 'utf8'));
  const b = parseMetricsJson(readFileSync(join(killed, 'metrics.json'), 'utf8'));
  assert.deepEqual(b.folds, a.folds);
  assert.deepEqual(b.aggregate, a.aggregate);
  assert.equal(
    readFileSync(join(killed, 'predictions.csv'), 'utf8'),
    readFileSync(join(full, 'predictions.csv'), 'utf8'),
  );
});
