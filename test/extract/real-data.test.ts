import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { extractFeatures } from '../../src/extract/extract.js';
import { collectAudioFiles } from '../../src/extract/extract-files.js';
import { featureSpec } from '../../src/features/sets.js';
import { realDataSkip, sharedDataDir } from '../helpers/data.js';

test(
  'RAVDESS: 48 files (2 per actor) with vector180, the second run is 48 cache hits',
  { skip: realDataSkip() },
  async () => {
    const root = join(sharedDataDir()!, 'ravdess', 'Audio_Speech_Actors_01-24');
    const files: string[] = [];
    for (let actor = 1; actor <= 24; actor++) {
      files.push(...collectAudioFiles([join(root, `Actor_${String(actor).padStart(2, '0')}`)]).slice(0, 2));
    }
    assert.equal(files.length, 48);
    const cache = mkdtempSync(join(tmpdir(), 'emovox-real-cache-'));
    try {
      const spec = featureSpec('vector180');
      const first = await extractFeatures(files, spec, { cache });
      assert.deepEqual(first.failures, []);
      assert.equal(first.stats.cacheMisses, 48);
      assert.ok(first.results.every((r) => r.value.vector?.length === 180));

      const second = await extractFeatures(files, spec, { cache });
      assert.equal(second.stats.cacheHits, 48);
      assert.equal(second.stats.cacheMisses, 0);
      for (let i = 0; i < 48; i++)
        assert.deepEqual(second.results[i].value.vector, first.results[i].value.vector);
      // The cached run skips decoding and DSP: it must be clearly faster than the computing one.
      assert.ok(
        second.stats.elapsedMs < first.stats.elapsedMs,
        `cached ${second.stats.elapsedMs.toFixed(0)} ms vs computed ${first.stats.elapsedMs.toFixed(0)} ms`,
      );
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  },
);
