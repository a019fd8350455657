// emovox predict: formats, ordering, exit codes, bad files, --out, --timeline; emovox models.
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { encodeWav, loadAudio, synthesizeSpeechLike } from '../../src/audio/index.js';
import { repoRoot } from '../helpers/data.js';
import { emovox } from '../helpers/system.js';

const example = join(repoRoot, 'examples', 'espeak-kids-talking.wav');
const LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];
let dir: string;
let files: string[];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'emovox-predict-'));
  mkdirSync(join(dir, 'in', 'sub'), { recursive: true });
  // Names chosen so input order differs from sorted order.
  files = [join(dir, 'in', 'sub', 'b.wav'), join(dir, 'in', 'c.wav'), join(dir, 'in', 'a.wav')];
  copyFileSync(example, files[0]);
  writeFileSync(
    files[1],
    encodeWav(synthesizeSpeechLike({ durationS: 1.5, sampleRate: 44100, seed: 3 }), 44100),
  );
  writeFileSync(files[2], encodeWav(synthesizeSpeechLike({ durationS: 2, sampleRate: 8000, seed: 4 }), 8000));
  writeFileSync(join(dir, 'in', 'broken.wav'), 'RIFF\x10\x00\x00\x00WAVEjunk');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('README command: predict on the bundled example clip prints a label and scores', () => {
  const r = emovox(['predict', 'examples/espeak-kids-talking.wav']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /file\s+label\s+conf\s+dur s\s+neutral\s+happy/);
  const row = lines[1].split(/\s+/);
  assert.equal(row[0], 'examples/espeak-kids-talking.wav');
  assert.ok(LABELS.includes(row[1].replace('?', '')), lines[1]);
  const probabilities = row.slice(4).map(Number);
  assert.equal(probabilities.length, 7);
  assert.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 0.04);
  assert.match(r.stderr, /1\/1 files in/);
});

test('json: one record per file, sorted by path, whatever the input order; a bad file is a row and exit 1', () => {
  const r = emovox([
    'predict',
    files[0],
    files[1],
    files[2],
    join(dir, 'in', 'broken.wav'),
    '--format',
    'json',
    '--workers',
    '0',
  ]);
  assert.equal(r.status, 1, r.stderr);
  const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
  const names = rows.map((x) => x.file as string);
  assert.deepEqual(names, [...names].sort());
  assert.equal(rows.length, 4);
  const broken = rows.find((x) => (x.file as string).endsWith('broken.wav'))!;
  assert.equal(typeof broken.error, 'string');
  for (const x of rows.filter((x) => !x.error)) {
    assert.deepEqual(Object.keys(x.scores as object), LABELS);
    assert.ok(LABELS.includes(x.label as string));
    assert.equal(typeof x.durationS, 'number');
    assert.equal(typeof x.confidence, 'number');
  }
  assert.ok(
    Math.abs((rows.find((x) => (x.file as string).endsWith('a.wav'))!.durationS as number) - 2) < 0.01,
  );
  assert.match(r.stderr, /failed: .*broken\.wav: /);
});

test('a folder is walked; workers give the same rows as the main thread; jsonl and csv hold the same results', () => {
  const main = emovox(['predict', join(dir, 'in'), '--format', 'jsonl', '--workers', '0']);
  const pool = emovox(['predict', join(dir, 'in'), '--format', 'jsonl', '--workers', '2']);
  assert.equal(main.status, 1);
  assert.equal(pool.status, 1);
  assert.equal(pool.stdout, main.stdout);
  const rows = main.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    rows.map((x) => (x.file as string).slice(dir.length)),
    ['/in/a.wav', '/in/broken.wav', '/in/c.wav', '/in/sub/b.wav'],
  );
  const csv = emovox(['predict', join(dir, 'in'), '--format', 'csv', '--workers', '0']);
  const lines = csv.stdout.trim().split('\n');
  assert.equal(
    lines[0],
    `file,label,confidence,low_confidence,duration_s,${LABELS.map((l) => `p_${l}`).join(',')},error`,
  );
  assert.equal(lines.length, 5);
  const good = rows.filter((x) => !x.error);
  for (const x of good) {
    const line = lines.find((l) => l.startsWith(`${x.file as string},`))!;
    const cells = line.split(',');
    assert.equal(cells[1], x.label);
    assert.equal(Number(cells[5]), (x.scores as Record<string, number>).neutral);
  }
  assert.match(
    lines.find((l) => l.includes('broken.wav'))!,
    /,[^,]+$/,
  );
});

test('--out writes atomically and refuses an input; usage errors exit 2 before any work', () => {
  const out = join(dir, 'out', 'predictions.json');
  const r = emovox(['predict', files[0], '--format', 'json', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal((JSON.parse(readFileSync(out, 'utf8')) as unknown[]).length, 1);
  const before = readFileSync(files[1]);
  const clobber = emovox(['predict', files[0], files[1], '--out', files[1]]);
  assert.equal(clobber.status, 2);
  assert.match(clobber.stderr, /refusing to overwrite an input/);
  assert.deepEqual(readFileSync(files[1]), before);
  for (const [args, pattern] of [
    [['predict', files[0], '--format', 'xml'], /argument 'xml' is invalid/],
    [['predict', files[0], '--model', join(dir, 'no-such-model')], /no-such-model: cannot read model/],
    [['predict', files[0], '--window', '2'], /--window and --hop need --timeline/],
    [['predict', join(dir, 'nothing')], /no audio files found/],
    [['predict', files[0], '--timeline', '--window', '1', '--hop', '2'], /--hop/],
  ] as const) {
    const bad = emovox([...args]);
    assert.equal(bad.status, 2, `${args.join(' ')}: ${bad.stderr}`);
    assert.match(bad.stderr, pattern);
  }
  assert.ok(!existsSync(join(dir, 'no-such-model')));
});

test('--timeline adds speech segments with times, labels and scores (json, table, csv)', async () => {
  const long = join(dir, 'long.wav');
  const clip = (await loadAudio(example, { mono: true, sr: 16000 })).samples;
  const y = new Float32Array(16000 * 9);
  y.set(clip, 16000);
  y.set(clip, 16000 * 6);
  writeFileSync(long, encodeWav(y, 16000));
  const r = emovox(['predict', long, '--timeline', '--vad', 'energy', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const [row] = JSON.parse(r.stdout) as {
    segments: { startS: number; endS: number; label: string; scores: Record<string, number> }[];
  }[];
  const inside = (at: number) =>
    row.segments.filter((s) => s.startS >= at - 0.3 && s.endS <= at + clip.length / 16000 + 0.3);
  assert.ok(inside(1).length >= 1 && inside(6).length >= 1, JSON.stringify(row.segments));
  assert.equal(inside(1).length + inside(6).length, row.segments.length, 'no segment outside the speech');
  for (const s of row.segments) assert.deepEqual(Object.keys(s.scores), LABELS);
  const table = emovox(['predict', long, '--timeline', '--vad', 'energy']);
  assert.equal(table.stdout.trim().split('\n').length, 2 + row.segments.length, table.stdout);
  const csv = emovox(['predict', long, '--timeline', '--vad', 'energy', '--format', 'csv']);
  assert.match(csv.stdout.split('\n')[0], /^file,start_s,end_s,label,/);
  assert.equal(csv.stdout.trim().split('\n').length, 1 + row.segments.length);
});

test('emovox models lists the bundled model and prints its card', () => {
  const list = emovox(['models']);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /emovox-acted7 \(default\)/);
  assert.match(list.stdout, /classes \(7\): neutral, happy, sad, angry, fearful, disgust, surprised/);
  const card = emovox(['models', 'emovox-acted7']);
  assert.equal(card.status, 0);
  assert.match(card.stdout, /^# Model card: emovox-acted7/);
  assert.match(card.stdout, /non-commercial/i);
  const json = JSON.parse(emovox(['models', '--json']).stdout) as { name: string; labels: string[] }[];
  assert.equal(json[0].name, 'emovox-acted7');
  const missing = emovox(['models', 'no-such-model']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no-such-model/);
});
