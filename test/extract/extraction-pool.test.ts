import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { extractFeatures } from '../../src/extract/extract.js';
import { ExtractionPool } from '../../src/extract/extraction-pool.js';
import { featureSpec } from '../../src/features/sets.js';
import type { FeatureValue } from '../../src/features/value.js';
import { EmovoxParameterError } from '../../src/util/errors.js';
import { batchFixture } from './helpers.js';

const fixture = batchFixture('emovox-pool-');

function bytesOf(value: FeatureValue): Buffer {
  const data = value.matrix?.data ?? value.vector!;
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

describe('ExtractionPool', () => {
  test('one pool serves several sets and simultaneous calls, equal to in-process extraction, and stays open', async () => {
    const sets = [featureSpec('mfcc40'), featureSpec('vector180')];
    const local = await Promise.all(
      sets.map((s) => extractFeatures(fixture.files.all, s, { workers: 0, cache: false })),
    );
    const pool = new ExtractionPool(2);
    try {
      // Both sets at once: each thread alternates between them, so the column names it sends change.
      const pooled = await Promise.all(
        sets.map((s) => extractFeatures(fixture.files.all, s, { pool, cache: false })),
      );
      const again = await extractFeatures(fixture.files.all, sets[1], { pool, cache: false });
      for (const [k, result] of [...pooled, again].entries()) {
        const reference = local[Math.min(k, 1)];
        assert.equal(result.stats.workers, 2);
        assert.deepEqual(
          result.failures.map((f) => [f.index, f.problem]),
          reference.failures.map((f) => [f.index, f.problem]),
        );
        assert.equal(result.results.length, reference.results.length);
        for (const [i, r] of result.results.entries()) {
          assert.equal(r.source, reference.results[i].source);
          assert.deepEqual(r.value.names, reference.results[i].value.names, `${r.source} names`);
          assert.deepEqual(bytesOf(r.value), bytesOf(reference.results[i].value), `${r.source} values`);
        }
      }
    } finally {
      await pool.close();
    }
    assert.ok(pool.closed);
    await assert.rejects(
      extractFeatures(fixture.files.good, sets[0], { pool, cache: false }),
      (e: unknown) => e instanceof EmovoxParameterError && /pool.*closed/.test(e.message),
    );
  });

  test('counts: at least 1, capped at the cores with a note; workers must match the pool', async () => {
    assert.throws(() => new ExtractionPool(0), EmovoxParameterError);
    assert.throws(() => new ExtractionPool(1.5), EmovoxParameterError);
    const pool = new ExtractionPool(1000);
    try {
      assert.ok(pool.workers >= 1 && pool.workers < 1000);
      assert.match(pool.notes.join('\n'), /1000 requested, capped/);
      await assert.rejects(
        extractFeatures(fixture.files.good, featureSpec('mfcc40'), { pool, workers: 1000, cache: false }),
        EmovoxParameterError,
      );
      const result = await extractFeatures(fixture.files.good, featureSpec('mfcc40'), { pool, cache: false });
      assert.equal(result.results.length, fixture.files.good.length);
      assert.deepEqual(result.notes, pool.notes);
    } finally {
      await pool.close();
    }
  });
});
