import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatDuration, runCorpus, type CorpusSummary } from '../../src/cli/commands/corpus.js';
import { makeTempDir, removeDir, writeTree } from './helpers.js';

let tmp: string;
before(() => {
  tmp = makeTempDir('emovox-corpus-cli-');
  writeTree(join(tmp, 'emodb'), ['wav/03a01Fa.wav', 'wav/03a01Wb.wav', 'wav/16b10Tb.wav', 'wav/99a01Fa.wav']);
  writeTree(join(tmp, 'emodb'), [], { 'wav/12a07Na.wav': 'not audio at all' });
  writeTree(join(tmp, 'junk'), [], { 'readme.txt': 'nothing here' });
});
after(() => removeDir(tmp));

describe('emovox corpus', () => {
  it('--json summarises each corpus with counts, duration and problems; --list writes items as JSONL', async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const list = join(tmp, 'items.jsonl');
    const code = await runCorpus(
      [join(tmp, 'emodb'), join(tmp, 'junk')],
      { json: true, list, concurrency: 2 },
      (l) => lines.push(l),
      (l) => errors.push(l),
    );
    assert.equal(code, 1, 'an unrecognised directory fails the run');
    assert.match(errors.join('\n'), /junk: no known corpus layout/);
    const { corpora } = JSON.parse(lines.join('\n')) as { corpora: CorpusSummary[] };
    assert.equal(corpora.length, 1);
    const emodb = corpora[0];
    assert.equal(emodb.corpus, 'emodb');
    assert.equal(emodb.files, 4);
    assert.equal(emodb.speakers, 3);
    assert.deepEqual(emodb.labels, { angry: 1, happy: 1, neutral: 1, sad: 1 });
    assert.deepEqual(emodb.rawLabels, { F: 1, N: 1, T: 1, W: 1 });
    assert.equal(emodb.durationS, 0.15, 'three readable 50 ms files');
    assert.equal(emodb.durationUnknown, 1);
    const problems = emodb.problems.map((p) => `${p.source}: ${p.problem}`).join('\n');
    assert.match(problems, /99a01Fa\.wav: speaker 99/);
    assert.match(problems, /12a07Na\.wav: audio header unreadable/);
    const items = readFileSync(list, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; label: string; durationS?: number });
    assert.equal(items.length, 4);
    assert.deepEqual(items[0], { ...items[0], id: '03a01Fa', label: 'happy', durationS: 0.05 });
  });

  it('prints a text summary, and --no-duration skips the headers', async () => {
    const lines: string[] = [];
    const code = await runCorpus([join(tmp, 'emodb')], { duration: false }, (l) => lines.push(l));
    assert.equal(code, 0);
    const text = lines.join('\n');
    assert.match(text, /^emodb: /);
    assert.match(text, /files 4, speakers 3, duration not read/);
    assert.match(text, /labels: angry 1, happy 1, neutral 1, sad 1/);
    assert.match(text, /problems: 1\n/);
    await assert.rejects(runCorpus([join(tmp, 'emodb')], { concurrency: 0 }), /concurrency/);
  });

  it('formats durations', () => {
    assert.equal(formatDuration(5.04), '5.0s');
    assert.equal(formatDuration(125.5), '2m 5.5s');
    assert.equal(formatDuration(5328.92), '1h 28m 48.9s');
  });
});
