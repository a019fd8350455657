import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FeatureCache } from '../../src/extract/cache.js';
import type { FeatureValue } from '../../src/features/value.js';
import { canonicalJson } from '../../src/util/canonical-json.js';
import { extractFeatures, extractOne } from '../../src/extract/extract.js';
import { featureSetDefinition, featureSetNames, featureSpec } from '../../src/features/sets.js';
import { featureSpecHash } from '../../src/extract/spec-hash.js';
import { WorkerPool } from '../../src/extract/worker-pool.js';
import { batchFixture, writeWav, tone } from './helpers.js';

const fixture = batchFixture('emovox-extract-');

describe('feature specs', () => {
  test('spec hash ignores key order and changes with any parameter', () => {
    const a = featureSpec('mfcc40');
    const reordered = { params: { ...a.params }, version: a.version, name: a.name };
    assert.equal(featureSpecHash(reordered), featureSpecHash(a));
    assert.equal(canonicalJson({ b: 1, a: [2, { d: 3, c: null }] }), '{"a":[2,{"c":null,"d":3}],"b":1}');
    assert.notEqual(featureSpecHash(featureSpec('mfcc40', { nMfcc: 20 })), featureSpecHash(a));
    assert.notEqual(featureSpecHash(featureSpec('mfcc40', { fmax: 7000 })), featureSpecHash(a));
  });

  test('unknown sets, unknown parameters and wrong types are parameter errors', () => {
    assert.throws(() => featureSpec('nope'), {
      name: 'EmovoxParameterError',
      message: /unknown feature set/,
    });
    assert.throws(() => featureSpec('mfcc40', { nmfcc: 3 }), /unknown parameter "nmfcc"/);
    assert.throws(() => featureSpec('mfcc40', { nMfcc: '40' }), /must be a number/);
    assert.throws(() => featureSpec('mfcc40', { sampleRate: 12.5 }), /sampleRate/);
  });

  test('every registered set extracts a file with its declared kind and size', async () => {
    const expected: Record<string, (v: FeatureValue) => void> = {
      mfcc40: (v) => assert.equal(v.matrix?.bins, 40),
      vector180: (v) => assert.equal(v.vector?.length, 180),
      functionals: (v) => assert.equal(v.vector?.length, 480),
      prosodic: (v) => assert.equal(v.vector?.length, 19),
      logmel: (v) => assert.deepEqual([v.matrix?.frames, v.matrix?.bins], [128, 128]),
      fbank: (v) => assert.deepEqual([v.matrix?.frames, v.matrix?.bins], [98, 80]),
      'logmel-frames': (v) =>
        assert.deepEqual([v.matrix?.frames, v.matrix?.bins], [1 + Math.floor(16000 / 512), 128]),
      'prosody-frames': (v) =>
        assert.deepEqual([v.matrix?.frames, v.matrix?.bins], [1 + Math.floor(16000 / 512), 3]),
      'spectral-functionals': (v) => assert.equal(v.vector?.length, 208),
    };
    // The ONNX encoder sets need a model file: test/encoders/ runs them on generated models.
    const needsModel = new Set(['encoder', 'encoder-frames', 'speaker-embedding']);
    const names = featureSetNames().filter((n) => !needsModel.has(n));
    assert.deepEqual(names, Object.keys(expected).sort());
    for (const name of names) {
      const spec = featureSpec(name);
      const { value } = await extractOne(fixture.files.good[1], spec); // b.wav: 1 s at 22.05 kHz
      expected[name](value);
      const data = value.matrix?.data ?? value.vector!;
      assert.ok(data.every(Number.isFinite), name);
      assert.equal(
        value.names?.length,
        value.matrix ? value.matrix.bins : value.vector!.length,
        `${name} names`,
      );
      assert.equal(featureSetDefinition(name).kind, value.matrix ? 'matrix' : 'vector', `${name} kind`);
    }
  });
});

describe('extractFeatures', () => {
  test('one corrupt file is reported and skipped; the others come back in input order', async () => {
    const spec = featureSpec('mfcc40');
    const result = await extractFeatures(fixture.files.all, spec, { workers: 0, cache: false });
    assert.equal(result.stats.total, 5);
    assert.equal(result.stats.extracted, 4);
    assert.deepEqual(
      result.results.map((r) => r.source),
      fixture.files.good,
    );
    assert.deepEqual(
      result.results.map((r) => r.index),
      [0, 1, 3, 4],
    );
    assert.equal(result.failures.length, 1);
    assert.equal(result.failures[0].source, fixture.files.bad);
    assert.equal(result.failures[0].index, 2);
    assert.match(result.failures[0].problem, /\S/);
    assert.ok(!result.failures[0].problem.startsWith(fixture.files.bad), 'problem does not repeat the path');
    // 16 kHz, hop 512, centred: 1 + floor(n / 512) frames.
    const c = result.results[2].value.matrix!;
    assert.equal(c.bins, 40);
    assert.equal(c.frames, 1 + Math.floor(Math.round(1.2 * 16000) / 512));
    // d.wav (44.1 kHz, 0.8 s) was resampled to 16 kHz before framing.
    assert.equal(result.results[3].value.matrix!.frames, 1 + Math.floor(Math.round(0.8 * 16000) / 512));
  });

  test('worker-thread results carry the column names of every file (sent once per worker)', async () => {
    const spec = featureSpec('vector180');
    const local = await extractFeatures(fixture.files.all, spec, { workers: 0, cache: false });
    const pooled = await extractFeatures([...fixture.files.all, ...fixture.files.all], spec, {
      workers: 2,
      cache: false,
    });
    assert.ok(local.results.length >= 2);
    const names = local.results[0].value.names;
    assert.equal(names?.length, 180);
    assert.equal(pooled.results.length, 2 * local.results.length);
    for (const r of pooled.results) assert.deepEqual(r.value.names, names, r.source);
  });

  test('worker-thread results are identical to in-process results', async () => {
    const spec = featureSpec('mfcc40');
    const local = await extractFeatures(fixture.files.all, spec, { workers: 0, cache: false });
    const pooled = await extractFeatures(fixture.files.all, spec, { workers: 2, cache: false });
    assert.equal(pooled.stats.workers, 2);
    assert.deepEqual(
      pooled.failures.map((f) => [f.source, f.problem]),
      local.failures.map((f) => [f.source, f.problem]),
    );
    assert.equal(pooled.results.length, local.results.length);
    for (let i = 0; i < local.results.length; i++) {
      const a = local.results[i].value.matrix!;
      const b = pooled.results[i].value.matrix!;
      assert.equal(pooled.results[i].source, local.results[i].source);
      assert.equal(b.frames, a.frames);
      assert.equal(b.bins, a.bins);
      assert.deepEqual(
        Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength),
        Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength),
      );
    }
  });

  test('progress is reported once per file, ids are kept', async () => {
    const seen: number[] = [];
    const items = fixture.files.good.map((path, i) => ({ path, id: `item${i}` }));
    const result = await extractFeatures(items, featureSpec('mfcc40'), {
      workers: 2,
      cache: false,
      onProgress: (p) => {
        assert.equal(p.total, 4);
        seen.push(p.done);
      },
    });
    assert.deepEqual(seen, [1, 2, 3, 4]);
    assert.deepEqual(
      result.results.map((r) => r.id),
      ['item0', 'item1', 'item2', 'item3'],
    );
  });

  test('a missing file is a failure, not a crash', async () => {
    const result = await extractFeatures(
      [join(fixture.dir, 'missing.wav'), fixture.files.good[0]],
      featureSpec('mfcc40'),
      {
        workers: 1,
        cache: false,
      },
    );
    assert.equal(result.stats.extracted, 1);
    assert.match(result.failures[0].problem, /file not found/);
  });

  test('a file above maxFileBytes fails without being read', async () => {
    const result = await extractFeatures(fixture.files.good.slice(0, 2), featureSpec('mfcc40'), {
      workers: 1,
      cache: false,
      maxFileBytes: 30_000, // a.wav is 19 kB, b.wav 44 kB
    });
    assert.deepEqual(
      result.results.map((r) => r.source),
      [fixture.files.good[0]],
    );
    assert.match(result.failures[0].problem, /MiB limit \(maxFileBytes\)/);
  });
});

describe('feature cache', () => {
  test('same bytes + same spec hit; a new spec or new file content misses', async () => {
    const cacheDir = join(fixture.dir, 'cache');
    const spec = featureSpec('mfcc40');
    const first = await extractFeatures(fixture.files.all, spec, { workers: 2, cache: cacheDir });
    assert.equal(first.stats.cacheHits, 0);
    assert.equal(first.stats.cacheMisses, 4);

    const cache = new FeatureCache(cacheDir);
    const second = await extractFeatures(fixture.files.all, spec, { workers: 2, cache });
    assert.equal(second.stats.cacheHits, 4);
    assert.equal(second.stats.cacheMisses, 0);
    assert.equal(cache.counters.hits, 4);
    assert.ok(second.results.every((r) => r.cached));
    for (let i = 0; i < 4; i++)
      assert.deepEqual(second.results[i].value.matrix, first.results[i].value.matrix);
    assert.equal(second.failures.length, 1, 'failures are not cached');

    // In-process path counts on the instance too.
    const local = new FeatureCache(cacheDir);
    const third = await extractFeatures(fixture.files.good, spec, { workers: 0, cache: local });
    assert.equal(third.stats.cacheHits, 4);
    assert.deepEqual(local.counters, { hits: 4, misses: 0, writes: 0, corrupt: 0 });

    const otherSpec = await extractFeatures(fixture.files.good, featureSpec('mfcc40', { nMfcc: 20 }), {
      workers: 0,
      cache: cacheDir,
    });
    assert.equal(otherSpec.stats.cacheHits, 0);
    assert.equal(otherSpec.stats.cacheMisses, 4);
    assert.equal(otherSpec.results[0].value.matrix!.bins, 20);

    writeWav(fixture.files.good[1], tone(250, 1.0, 22050), 22050); // new content, same path
    const changed = await extractFeatures(fixture.files.good, spec, { workers: 0, cache: cacheDir });
    assert.equal(changed.stats.cacheHits, 3);
    assert.equal(changed.stats.cacheMisses, 1);
    assert.equal(changed.results[1].cached, false);
    writeWav(fixture.files.good[1], tone(180, 1.0, 22050), 22050); // restore for the other tests
  });

  test('an unreadable cache entry is a miss and is rewritten', async () => {
    const cacheDir = join(fixture.dir, 'cache-corrupt');
    const spec = featureSpec('mfcc40');
    const cache = new FeatureCache(cacheDir);
    const { fileHash } = await extractOne(fixture.files.good[0], spec, cache);
    const entry = cache.entryPath(fileHash, featureSpecHash(spec));
    const bytes = readFileSync(entry);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(entry, bytes.subarray(0, bytes.length - 10));
    const again = await extractOne(fixture.files.good[0], spec, cache);
    assert.equal(again.cached, false);
    assert.equal(cache.counters.writes, 2);
    assert.equal((await extractOne(fixture.files.good[0], spec, cache)).cached, true);
  });
});

describe('WorkerPool', () => {
  const echo = `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (m) => {
  if (m === 'hang') return;
  if (m === 'crash') process.exit(3);
  parentPort.postMessage(m * 2);
});`;

  test('a worker that dies or hangs fails only its task and is replaced', async () => {
    const pool = new WorkerPool<number | string, number>({ code: echo }, 2);
    try {
      const outcomes = await Promise.allSettled([
        pool.run(1),
        pool.run('crash'),
        pool.run('hang', [], 300),
        pool.run(2),
        pool.run(3),
      ]);
      assert.deepEqual(
        outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message)),
        [2, 'worker thread exited with code 3', 'timed out after 0.3 s', 4, 6],
      );
      assert.equal(await pool.run(21), 42, 'the pool still works after replacing workers');
    } finally {
      await pool.close();
    }
    await assert.rejects(pool.run(1), /closed/);
  });
});
