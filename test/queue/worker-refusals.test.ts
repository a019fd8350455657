// A worker refuses what it should not run, at once and without retries, and the client reports
// each refused item with the reason: a path outside --allow-path, a payload whose feature spec
// this worker resolves differently. Worker and client run in this process (real Redis).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { encodeWav, synthesizeSpeechLike } from '../../src/audio/index.js';
import { featureSpec } from '../../src/features/sets.js';
import { runOnQueue } from '../../src/queue/client.js';
import { extractOnQueue } from '../../src/queue/features-client.js';
import { QUEUE_PREFIX } from '../../src/queue/jobs.js';
import { startQueueWorker, type QueueWorkerHandle } from '../../src/queue/worker.js';
import { redisSkip, removeRedisDir, startRedis, type TestRedis } from './helpers.js';

describe('worker refusals', { skip: redisSkip(), timeout: 60_000 }, () => {
  let redis: TestRedis;
  let worker: QueueWorkerHandle;
  let allowed: string;
  let outside: string;
  const log: string[] = [];

  before(async () => {
    redis = await startRedis();
    allowed = mkdtempSync(join(tmpdir(), 'emovox-allowed-'));
    outside = mkdtempSync(join(tmpdir(), 'emovox-outside-'));
    worker = await startQueueWorker({
      address: { url: redis.url },
      threads: 1,
      cache: false,
      kinds: ['features'],
      allowPaths: [allowed],
      log: (line) => log.push(line),
    });
  });

  after(async () => {
    await worker?.close();
    await redis?.stop();
    if (redis) removeRedisDir(redis);
    for (const d of [allowed, outside]) if (d) rmSync(d, { recursive: true, force: true });
  });

  test('a file outside --allow-path: its job is refused once, its items fail with the reason', async () => {
    const file = join(outside, 'a.wav');
    writeFileSync(file, encodeWav(synthesizeSpeechLike({ durationS: 0.4, seed: 5 }), 16000));
    const result = await extractOnQueue([file], featureSpec('mfcc40', {}), {
      address: { url: redis.url },
      cache: false,
      pollMs: 50,
      checkMs: 200,
    });
    assert.equal(result.results.length, 0);
    assert.equal(result.failures.length, 1);
    assert.match(
      result.failures[0].problem,
      /failed after 1 attempt: refused by .*outside the folders this worker may use/,
    );
    assert.ok(
      log.some((l) => /refused: audio file .* is outside/.test(l)),
      log.join('\n'),
    );
  });

  test('a payload with a spec this worker resolves differently is refused, not run', async () => {
    const spec = featureSpec('mfcc40', {});
    // A client whose registry lacks a parameter (another emovox version): the worker would fill
    // in its default and compute something else than the client asked for.
    const { lifter: _dropped, ...params } = spec.params as Record<string, unknown>;
    const tampered = { ...spec, params };
    const file = join(allowed, 'b.wav');
    writeFileSync(file, encodeWav(synthesizeSpeechLike({ durationS: 0.4, seed: 6 }), 16000));
    const run = await runOnQueue(
      {
        kind: 'features',
        items: 1,
        jobs: [
          {
            v: 1,
            kind: 'features',
            chunk: 0,
            items: [{ index: 0, path: file }],
            spec: tampered as typeof spec,
            limits: { maxFileBytes: 1 << 20, maxDuration: null, strict: false },
            cache: false,
          },
        ],
      },
      { address: { url: redis.url }, pollMs: 50, checkMs: 200, runId: 'tampered' },
    );
    const outcome = run.outcomes.get(0);
    // Refused jobs are failed at once, not retried.
    const queue = new Queue('features', {
      connection: { host: '127.0.0.1', port: redis.port },
      prefix: QUEUE_PREFIX,
    });
    try {
      const job = await queue.getJob('tampered.0');
      assert.equal(await job?.getState(), 'failed');
      assert.equal(job?.attemptsMade, 1);
    } finally {
      await queue.close();
    }
    await run.finish();
    assert.ok(outcome && !outcome.ok);
    assert.match(outcome.problem, /refused by .*resolves differently on this worker/);
  });
});
