import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { WorkerPool, workerScript } from '../../src/extract/worker-pool.js';
import { freshDistSkip } from '../helpers/build.js';
import { repoRoot } from '../helpers/data.js';

test('workerScript prefers the one-file bundle beside a compiled script only while it is not older', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emovox-worker-script-'));
  try {
    const base = pathToFileURL(join(dir, 'extract.js')).href;
    const script = join(dir, 'worker.js');
    const bundle = join(dir, 'worker.bundle.js');
    writeFileSync(script, '');
    assert.deepEqual(workerScript(base, './worker'), { url: pathToFileURL(script) });
    writeFileSync(bundle, '');
    utimesSync(script, 1000, 1000);
    utimesSync(bundle, 2000, 2000);
    assert.deepEqual(workerScript(base, './worker'), { url: pathToFileURL(bundle) });
    utimesSync(script, 3000, 3000); // a tsc-only rebuild: the bundle is stale
    assert.deepEqual(workerScript(base, './worker'), { url: pathToFileURL(script) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the build bundles every worker-thread script of dist/', { skip: freshDistSkip() }, () => {
  for (const stem of ['extract/worker', 'infer/predict-worker', 'serve/worker', 'data/derive-worker']) {
    const base = pathToFileURL(join(repoRoot, 'dist', `${stem}.js`)).href;
    const name = stem.split('/')[1];
    assert.deepEqual(workerScript(base, `./${name}`), {
      url: pathToFileURL(join(repoRoot, 'dist', `${stem}.bundle.js`)),
    });
  }
});

// Replies in order; 'crash' ends the thread, 'hang' never answers (a decoder stuck on a bad file).
const echoWorker = {
  code: `
    const { parentPort, threadId } = require('node:worker_threads');
    parentPort.on('message', (m) => {
      if (m === 'crash') process.exit(3);
      if (m === 'hang') for (;;);
      parentPort.postMessage({ m, threadId });
    });`,
};

async function settle(
  pool: WorkerPool<string, { m: string; threadId: number }>,
  items: string[],
  timeoutMs?: number,
) {
  return Promise.all(
    items.map((m) =>
      pool.run(m, [], timeoutMs).then(
        (r) => r.m,
        (e: Error) => `failed: ${e.message}`,
      ),
    ),
  );
}

test('inFlight 2: a worker that dies fails only the task it was running; those queued behind it run elsewhere', async () => {
  const pool = new WorkerPool<string, { m: string; threadId: number }>(echoWorker, 1, { inFlight: 2 });
  try {
    assert.deepEqual(await settle(pool, ['a', 'crash', 'b', 'c']), [
      'a',
      'failed: worker thread exited with code 3',
      'b',
      'c',
    ]);
  } finally {
    await pool.close();
  }
});

test('inFlight 2: a task past its deadline fails alone; the deadline starts when the task starts', async () => {
  const pool = new WorkerPool<string, { m: string; threadId: number }>(echoWorker, 1, { inFlight: 2 });
  try {
    // Warm the worker first: on a loaded machine its start alone can outlast a short deadline.
    await pool.run('warm');
    assert.deepEqual(await settle(pool, ['x', 'hang', 'y', 'z'], 3000), [
      'x',
      'failed: timed out after 3 s',
      'y',
      'z',
    ]);
  } finally {
    await pool.close();
  }
});

test('inFlight 2 fills every worker before giving one a second task, and rejects a bad depth', async () => {
  assert.throws(() => new WorkerPool(echoWorker, 1, { inFlight: 0 }), /inFlight must be >= 1/);
  const pool = new WorkerPool<string, { m: string; threadId: number }>(echoWorker, 2, { inFlight: 2 });
  try {
    const replies = await Promise.all(['p', 'q'].map((m) => pool.run(m)));
    assert.notEqual(replies[0].threadId, replies[1].threadId);
  } finally {
    await pool.close();
  }
});
