// The queue end to end, against a real redis-server on loopback and three `emovox worker`
// processes (the CLI from the TypeScript sources): `features --queue` writes the same NPY as a
// local run byte for byte (a poisoned file fails its item only), `predict --queue` the same rows;
// a worker killed with SIGKILL mid-job loses and duplicates nothing; a client killed mid-run
// reattaches with --resume; a Redis restart (no persistence) stops the client with a clear error,
// after which --resume finishes the run; `tune --queue` on the surviving workers gives the same
// trials table as a local tune.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/data.js';
import { makeSyntheticRavdess, removeSynthetic } from '../helpers/synthetic-corpus.js';
import { engineSkip } from '../models/engine-helpers.js';
import {
  queueCorpus,
  redisSkip,
  removeRedisDir,
  runCli,
  startRedis,
  startWorker,
  writePoisonedWav,
  type QueueCorpus,
  type TestRedis,
  type TestWorker,
  waitForAny,
} from './helpers.js';

const skip = redisSkip();
const tuneSkip = skip || engineSkip();
// Short locks so a killed worker's job is handed on within a few seconds.
const WORKER_ARGS = ['--workers', '1', '--no-cache', '--lock-duration', '2', '--stalled-interval', '1'];

describe('the queue on 3 workers', { skip, timeout: 170_000 }, () => {
  let redis: TestRedis;
  let corpus: QueueCorpus;
  let temp: string;
  let files: string[];
  let workers: TestWorker[] = [];
  let local: { npy: Buffer; lengths: Buffer };

  const featureArgs = (out: string) => ['features', ...files, '-s', 'mfcc40', '-o', out, '--no-cache'];
  const outputs = (out: string) => ({
    npy: readFileSync(out),
    lengths: readFileSync(out.replace(/\.npy$/, '.lengths.npy')),
  });

  before(async () => {
    corpus = queueCorpus();
    temp = mkdtempSync(join(tmpdir(), 'emovox-queue-test-'));
    const poisoned = join(temp, 'poisoned.wav');
    writePoisonedWav(poisoned);
    files = [...corpus.files.slice(0, 30), poisoned, ...corpus.files.slice(30)];
    redis = await startRedis();
    workers = [0, 1, 2].map(() => startWorker(redis.url, WORKER_ARGS));
    const ref = await runCli([...featureArgs(join(temp, 'local.npy')), '--workers', '1']);
    assert.equal(ref.status, 1, ref.stderr); // the poisoned file fails, the rest is written
    local = outputs(join(temp, 'local.npy'));
    await Promise.all(workers.map((w) => w.waitFor(/emovox worker \S+ on redis:/)));
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
    if (redis) removeRedisDir(redis);
    corpus?.remove();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  test(`the outputs equal a local run byte for byte; a poisoned file fails only itself`, async () => {
    const out = join(temp, 'queue.npy');
    const run = await runCli([...featureArgs(out), '--queue', redis.url, '--job-size', '4']);
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /failed: .*poisoned\.wav/);
    assert.match(run.stderr, new RegExp(`mfcc40: ${files.length - 1}/${files.length} files`));
    const got = outputs(out);
    assert.ok(got.npy.equals(local.npy), 'NPY differs from the local run');
    assert.ok(got.lengths.equals(local.lengths), 'lengths NPY differs from the local run');
    // The work was spread: more than one worker finished jobs.
    const busy = workers.filter((w) => /features job \S+ done/.test(w.log())).length;
    assert.ok(busy >= 2, `only ${busy} worker(s) took jobs`);
  });

  test('predict --queue: the same rows as a local run (a poisoned file is a failed row)', async () => {
    const some = [...files.slice(0, 8), join(temp, 'poisoned.wav')];
    const [queued, here] = await Promise.all([
      runCli(['predict', ...some, '-f', 'jsonl', '--queue', redis.url, '--job-size', '3']),
      runCli(['predict', ...some, '-f', 'jsonl', '--workers', '1']),
    ]);
    assert.equal(here.status, 1, here.stderr);
    assert.equal(queued.status, 1, queued.stderr);
    assert.equal(queued.stdout.trim().split('\n').length, some.length);
    assert.match(queued.stdout, /poisoned\.wav","error":/);
    assert.equal(queued.stdout, here.stdout);
    assert.match(queued.stderr, /8\/9 files/);
  });

  test('a worker killed with SIGKILL mid-job: its job is redone elsewhere, nothing lost or counted twice', async () => {
    const out = join(temp, 'killed.npy');
    const client = runCli([
      ...featureArgs(out),
      '--queue',
      redis.url,
      '--job-size',
      '4',
      '--run-id',
      'kill9',
    ]);
    const victim = workers[0];
    const started = await victim.waitFor(/features job (kill9\.\d+) started/);
    const job = /(kill9\.\d+)/.exec(started)![1];
    victim.child.kill('SIGKILL');
    const run = await client;
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`mfcc40: ${files.length - 1}/${files.length} files`));
    const got = outputs(out);
    assert.ok(got.npy.equals(local.npy), 'NPY differs from the local run');
    assert.ok(got.lengths.equals(local.lengths), 'lengths NPY differs from the local run');
    assert.doesNotMatch(victim.log(), new RegExp(`job ${job.replace('.', '\\.')} done`));
    const finisher = workers
      .slice(1)
      .some((w) => new RegExp(`job ${job.replace('.', '\\.')} done`).test(w.log()));
    assert.ok(finisher, `no other worker finished ${job}`);
  });

  test('the client killed mid-run reattaches with --resume --run-id and gathers what the workers did meanwhile', async () => {
    const out = join(temp, 'reattach.npy');
    const args = [...featureArgs(out), '--queue', redis.url, '--job-size', '4', '--run-id', 'reattach1'];
    const first = runCli(args);
    await waitForAny(workers.slice(1), /features job reattach1\.\d+ done/);
    first.child.kill('SIGKILL');
    await first;
    const again = await runCli([...args, '--resume']);
    assert.equal(again.status, 1, again.stderr);
    assert.match(again.stderr, /run reattach1 on redis/);
    assert.match(again.stderr, new RegExp(`mfcc40: ${files.length - 1}/${files.length} files`));
    assert.ok(outputs(out).npy.equals(local.npy), 'NPY differs from the local run');
  });

  test('Redis restarted mid-run: the client stops with a clear error, --resume finishes the run', async () => {
    const out = join(temp, 'restart.npy');
    const args = [...featureArgs(out), '--queue', redis.url, '--job-size', '4', '--run-id', 'restart1'];
    const alive = workers.slice(1);
    const client = runCli(args);
    await waitForAny(alive, /features job restart1\.\d+ started/);
    await redis.stop();
    await redis.start();
    const lost = await client;
    assert.equal(lost.status, 1, lost.stderr);
    assert.match(lost.stderr, /run restart1: .*gone from Redis.*--resume --run-id restart1/s);
    assert.throws(() => readFileSync(out), /ENOENT/, 'nothing is written by a lost run');
    const resumed = await runCli([...args, '--resume']);
    assert.equal(resumed.status, 1, resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`mfcc40: ${files.length - 1}/${files.length} files`));
    const got = outputs(out);
    assert.ok(got.npy.equals(local.npy), 'NPY differs from the local run');
  });

  test(
    'tune --queue: each trial a job on the workers (alive after the Redis restart); the same results table',
    { skip: tuneSkip },
    async () => {
      const synthetic = makeSyntheticRavdess({ actors: 9, emotions: [1, 3, 4, 5], durationS: 0.5 });
      try {
        const space = join(temp, 'space.yaml');
        writeFileSync(space, 'training.optimizer.lr: [0.001, 0.01]\n');
        const args = (out: string) => [
          'tune',
          join(repoRoot, 'recipes', 'linear-functionals.yaml'),
          '--space',
          space,
          '--trials',
          '2',
          '--method',
          'grid',
          '--set',
          `data.corpora=[${synthetic}]`,
          '--set',
          `data.cache=${join(temp, 'tune-cache')}`,
          '--set',
          'data.workers=0',
          '--set',
          'training.epochs=3',
          '--set',
          'protocol.name=speaker-kfold',
          '--set',
          'protocol.k=3',
          '--folds',
          '1',
          '--no-winner',
          '-o',
          out,
        ];
        // Both at once (the feature cache they share is written atomically, so racing on it is safe).
        const [here, queued] = await Promise.all([
          runCli(args(join(temp, 'tune-local'))),
          runCli([...args(join(temp, 'tune-queue')), '--queue', redis.url]),
        ]);
        assert.equal(here.status, 0, here.stderr);
        assert.equal(queued.status, 0, queued.stderr);
        assert.match(queued.stderr, /\[2\/2\] trial \d: validation/);
        // Same trials, params and scores; only the wall seconds differ.
        const table = (dir: string) =>
          readFileSync(join(dir, 'trials.md'), 'utf8').replace(/\| \d+ \|$/gm, '| s |');
        assert.equal(table(join(temp, 'tune-queue')), table(join(temp, 'tune-local')));
        const trials = (dir: string) =>
          (
            JSON.parse(readFileSync(join(dir, 'trials.json'), 'utf8')) as {
              trials: Record<string, unknown>[];
            }
          ).trials.map(({ trial, params, score }) => ({ trial, params, score }));
        assert.deepEqual(trials(join(temp, 'tune-queue')), trials(join(temp, 'tune-local')));
        assert.ok(
          workers.slice(1).some((w) => /tune job \S+ done/.test(w.log())),
          'no worker ran a trial',
        );
      } finally {
        removeSynthetic(synthetic);
      }
    },
  );
});
