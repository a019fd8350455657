import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { runCorpus, type CorpusSummary } from '../../src/cli/commands/corpus.js';
import { loadCorpus } from '../../src/corpora/load.js';
import { ravdessFolds, speakerKFold } from '../../src/corpora/splits.js';
import { countItemsBy } from '../../src/corpora/taxonomy.js';
import type { CorpusItem } from '../../src/corpora/types.js';
import { realDataSkip, sharedDataDir } from '../helpers/data.js';

/** labels.csv rows (file, speaker, emotion, ...), read here only to check the loaders against. */
function readLabels(corpusDir: string): { file: string; speaker: string; emotion: string }[] {
  const [header, ...lines] = readFileSync(join(corpusDir, 'labels.csv'), 'utf8').trim().split(/\r?\n/);
  const columns = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    const row = Object.fromEntries(columns.map((c, i) => [c, cells[i]]));
    return { file: row.file, speaker: row.speaker, emotion: row.emotion };
  });
}

function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of [...values].sort()) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

/** Checks counts per label and per speaker, and every single file, against labels.csv. */
function checkAgainstLabels(items: CorpusItem[], dir: string, labelOf: (item: CorpusItem) => string): void {
  const rows = readLabels(dir);
  assert.equal(items.length, rows.length);
  assert.deepEqual(tally(items.map(labelOf)), tally(rows.map((r) => r.emotion)));
  assert.deepEqual(countItemsBy(items, 'speaker'), tally(rows.map((r) => r.speaker)));
  const byFile = new Map(items.map((i) => [basename(i.path), i]));
  for (const row of rows) {
    const item = byFile.get(row.file);
    assert.ok(item, `${row.file} loaded`);
    assert.equal(labelOf(item), row.emotion, row.file);
    assert.equal(item.speaker, row.speaker, row.file);
  }
}

describe('real corpora in ../shared/data', { skip: realDataSkip() }, () => {
  it('RAVDESS: detected, 1440 items, labels and actors equal labels.csv; standard folds cover it', async () => {
    const dir = join(sharedDataDir()!, 'ravdess');
    const corpus = await loadCorpus(dir);
    assert.equal(corpus.corpus, 'ravdess');
    assert.deepEqual(corpus.problems, []);
    checkAgainstLabels(corpus.items, dir, (i) => i.label);
    const folds = ravdessFolds(corpus.items);
    assert.equal(folds.length, 6);
    assert.equal(
      folds.reduce((n, f) => n + f.test.length, 0),
      1440,
    );
    for (const fold of folds) assert.equal(fold.test.length, 240);
  });

  it('TESS: detected, 2800 items, raw labels (ps, fear...) and speakers equal labels.csv', async () => {
    const dir = join(sharedDataDir()!, 'tess');
    const corpus = await loadCorpus(dir);
    assert.equal(corpus.corpus, 'tess');
    assert.deepEqual(corpus.problems, []);
    checkAgainstLabels(corpus.items, dir, (i) => i.rawLabel);
    assert.equal(countItemsBy(corpus.items).surprised, 400);
  });

  it('URDU: detected, 400 items, labels and 29 speakers equal labels.csv', async () => {
    const dir = join(sharedDataDir()!, 'urdu');
    const corpus = await loadCorpus(dir);
    assert.equal(corpus.corpus, 'urdu');
    assert.deepEqual(corpus.problems, []);
    checkAgainstLabels(corpus.items, dir, (i) => i.label);
    assert.equal(Object.keys(countItemsBy(corpus.items, 'speaker')).length, 29);
    const folds = speakerKFold(corpus.items, { k: 5, seed: 1 });
    assert.equal(
      folds.reduce((n, f) => n + f.test.length, 0),
      400,
    );
  });

  it('emovox corpus --json: totals and durations agree with labels.csv', async () => {
    const lines: string[] = [];
    const dirs = ['ravdess', 'tess', 'urdu'].map((c) => join(sharedDataDir()!, c));
    assert.equal(await runCorpus(dirs, { json: true }, (l) => lines.push(l)), 0);
    const { corpora } = JSON.parse(lines.join('\n')) as { corpora: CorpusSummary[] };
    corpora.forEach((summary, i) => {
      const rows = readFileSync(join(dirs[i], 'labels.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
      const expected = rows.reduce((sum, row) => sum + Number(row.split(',')[3]), 0);
      assert.equal(summary.files, rows.length);
      assert.equal(summary.durationUnknown, 0);
      assert.ok(
        Math.abs(summary.durationS! - expected) < 1,
        `${summary.corpus}: ${summary.durationS} vs ${expected}`,
      );
    });
  });
});
