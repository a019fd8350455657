import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav, loadAudio, synthesizeSpeechLike } from '../../src/audio/index.js';
import { loadCorpus, type CorpusItem } from '../../src/corpora/index.js';
import {
  assembleBatch,
  buildDataset,
  combineRow,
  deriveAudio,
  encodeLabels,
  RowNormalizer,
  sortClasses,
  type InputArray,
} from '../../src/data/index.js';
import { featureSpec } from '../../src/features/index.js';
import { SpeakerNormalizer, standardize } from '../../src/models/normalization.js';
import { makeSyntheticRavdess, removeSynthetic } from '../helpers/synthetic-corpus.js';

const temp = mkdtempSync(join(tmpdir(), 'emovox-data-test-'));
after(() => rmSync(temp, { recursive: true, force: true }));

function item(label: string, speaker = 's1', corpus = 'ravdess'): CorpusItem {
  return {
    path: `/x/${label}.wav`,
    corpus,
    id: `${speaker}-${label}`,
    label,
    rawLabel: label,
    speaker,
    meta: {},
  };
}

test('classes follow the canonical taxonomy order, then other labels A-Z', () => {
  assert.deepEqual(sortClasses(['zeta', 'surprised', 'neutral', 'alpha', 'angry']), [
    'neutral',
    'angry',
    'surprised',
    'alpha',
    'zeta',
  ]);
  const { classes, targets, items } = encodeLabels([item('sad'), item('calm'), item('neutral')], {
    merge: { neutral: ['neutral', 'calm'] },
  });
  assert.deepEqual(classes, ['neutral', 'sad']);
  assert.deepEqual([...targets], [1, 0, 0]);
  assert.equal(items[1].meta.unmergedLabel, 'calm');
});

test('a merge that empties a kept class, an absent class, or a single class is an error naming the key', () => {
  const items = [item('sad'), item('calm'), item('neutral')];
  assert.throws(
    () =>
      encodeLabels(items, { merge: { neutral: ['calm'] }, keep: ['neutral', 'calm', 'sad'] }, 'data.labels'),
    /data\.labels: class "calm" is empty: the merge into "neutral" took all its items/,
  );
  assert.throws(() => encodeLabels(items, { keep: ['sad', 'angry'] }), /class "angry" has no items/);
  assert.throws(() => encodeLabels(items, { keep: ['sad'] }), /at least 2 classes/);
  assert.throws(
    () => encodeLabels(items, { merge: { a: ['calm'], b: ['calm'] } }, 'data.labels'),
    /data\.labels: label "calm" is merged into both/,
  );
});

function vectorArray(rows: number[][]): InputArray {
  return {
    layout: 'vector',
    shape: [rows[0].length],
    channels: rows[0].length,
    rows: rows.map((r) => Float32Array.from(r)),
  };
}

test('global normalisation is fitted on the training rows only', () => {
  const array = vectorArray([
    [1, 10],
    [3, 30],
    [100, -5],
  ]);
  const n = new RowNormalizer(array, 'global', [0, 1]);
  assert.deepEqual(n.stored.stats!.mean, [2, 20]);
  assert.deepEqual(n.stored.stats!.std, [1, 10]);
  assert.deepEqual([...n.row(0)], [-1, -1]);
  assert.deepEqual([...n.row(2)], [98, -2.5]);
  // Changing the held-out row changes nothing fitted.
  array.rows[2] = Float32Array.from([1e6, 1e6]);
  assert.deepEqual(new RowNormalizer(array, 'global', [0, 1]).stored.stats, n.stored.stats);
});

test('per-speaker normalisation z-scores each speaker with its own statistics', () => {
  const array = vectorArray([
    [1, 0],
    [3, 0],
    [10, 5],
    [30, 7],
  ]);
  const speakers = ['a', 'a', 'b', 'b'];
  const n = new RowNormalizer(array, 'speaker', [0, 1], speakers, [0, 1, 2, 3], 5);
  assert.deepEqual([...n.row(0)], [-1, 0]);
  assert.deepEqual([...n.row(3)], [1, 1]);
  assert.equal(n.stored.mode, 'speaker');
  assert.equal(n.stored.minUtterances, 5);
  assert.deepEqual(n.stored.stats!.mean, [2, 0]); // training rows' raw statistics: the fallback
  assert.throws(
    () => new RowNormalizer(array, 'speaker', [0], ['a', '', 'b', 'b'], [0, 1, 2, 3]),
    /speaker ids/,
  );
});

test('SpeakerNormalizer falls back to the stored statistics until a speaker has enough utterances', () => {
  const stats = { mean: [0], std: [2], count: 4 };
  const s = new SpeakerNormalizer({
    mode: 'speaker',
    layout: 'vector',
    channels: 1,
    stats,
    minUtterances: 2,
  });
  assert.deepEqual([...s.normalize(Float32Array.of(4), 'x')], [2]); // fallback
  assert.deepEqual([...s.normalize(Float32Array.of(6), 'x')], [1]); // own: mean 5, std 1
  assert.deepEqual([...s.normalize(Float32Array.of(4), 'y')], [2]); // a new speaker starts over
  const g = new SpeakerNormalizer({ mode: 'global', layout: 'vector', channels: 1, stats });
  assert.deepEqual([...g.normalize(Float32Array.of(4))], [2]);
});

test('image statistics pool each row of the image (one mel band) over time', () => {
  // [1, 2, 3] image: band 0 = 1,2,3; band 1 = 10,10,10.
  const row = Float32Array.of(1, 2, 3, 10, 10, 10);
  const array: InputArray = { layout: 'image', shape: [1, 2, 3], channels: 2, rows: [row] };
  const n = new RowNormalizer(array, 'global', [0]);
  assert.deepEqual(n.stored.stats!.mean, [2, 10]);
  const out = standardize(row, 'image', n.stored.stats!);
  assert.ok(Math.abs(out[0] + Math.sqrt(1.5)) < 1e-6 && out[3] === 0);
});

test('frame inputs concatenate sets per frame; images are [1, bins, frames]', () => {
  const a = { matrix: { data: Float32Array.of(1, 2, 3, 4, 5, 6), frames: 3, bins: 2 } };
  const b = { matrix: { data: Float32Array.of(7, 8), frames: 2, bins: 1 } };
  const spec = { kind: 'frames' as const, sets: [] };
  const { row, dims, frames } = combineRow(spec, [a, b], 'f');
  assert.deepEqual([dims, frames], [3, 2]);
  assert.deepEqual([...row], [1, 2, 7, 3, 4, 8]);
  assert.deepEqual([...combineRow({ ...spec, maxFrames: 1 }, [a, b], 'f').row], [1, 2, 7]);
  const far = { matrix: { data: new Float32Array(10), frames: 10, bins: 1 } };
  assert.throws(() => combineRow(spec, [a, far], 'f.wav'), /f\.wav: feature sets give 3 \/ 10 frames/);
  const image = combineRow({ kind: 'image', sets: [] }, [a], 'f');
  assert.deepEqual([...image.row], [1, 3, 5, 2, 4, 6]);
});

test('batches pad frame sequences and carry lengths; SpecAugment is seeded by epoch', () => {
  const frames: InputArray = {
    layout: 'frames',
    shape: [-1, 2],
    channels: 2,
    rows: [Float32Array.of(1, 1, 2, 2, 3, 3), Float32Array.of(4, 4)],
  };
  const batch = assembleBatch({ frames }, [1, 0], (name, r) => frames.rows[r]);
  assert.deepEqual(batch.frames.shape, [2, 3, 2]);
  assert.deepEqual([...batch.frames.data], [4, 4, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3]);
  assert.deepEqual([...batch.lengths.data], [1, 3]);
  const long: InputArray = { ...frames, rows: [Float32Array.from({ length: 400 }, (_, i) => i + 1)] };
  const options = { freqMasks: 1, freqWidth: 1, timeMasks: 2, timeWidth: 50 };
  const e0 = assembleBatch({ frames: long }, [0], (_n, r) => long.rows[r], { options, seed: 1, epoch: 0 });
  const e0b = assembleBatch({ frames: long }, [0], (_n, r) => long.rows[r], { options, seed: 1, epoch: 0 });
  const e1 = assembleBatch({ frames: long }, [0], (_n, r) => long.rows[r], { options, seed: 1, epoch: 1 });
  assert.deepEqual(e0.frames.data, e0b.frames.data);
  assert.notDeepEqual(e0.frames.data, e1.frames.data);
  assert.ok(e0.frames.data.some((v) => v === 0));
});

test('derived audio is cached by content and transform', async () => {
  const y = synthesizeSpeechLike({ durationS: 1 });
  const padded = new Float32Array(y.length + 8000);
  padded.set(y, 4000);
  const path = join(temp, 'clip.wav');
  writeFileSync(path, encodeWav(padded, 16000));
  const dir = join(temp, 'derived');
  const steps = [{ op: 'noise' as const, params: { snrDb: 10 } }];
  const trimmed = await deriveAudio(path, { trimSilence: { topDb: 30 } }, dir);
  const audio = await loadAudio(trimmed);
  assert.ok(audio.samples.length < padded.length - 6000, `trimmed to ${audio.samples.length}`);
  const a = await deriveAudio(path, { augment: { steps, seed: 1, index: 0 } }, dir);
  const mtime = statSync(a).mtimeMs;
  assert.equal(await deriveAudio(path, { augment: { steps, seed: 1, index: 0 } }, dir), a);
  assert.equal(statSync(a).mtimeMs, mtime);
  assert.notEqual(await deriveAudio(path, { augment: { steps, seed: 2, index: 0 } }, dir), a);
  await assert.rejects(
    deriveAudio(join(temp, 'missing.wav'), { trimSilence: { topDb: 30 } }, dir),
    /cannot read/,
  );
});

test('buildDataset: vectors for every item, augmented copies only where allowed, bad files dropped', async () => {
  const corpus = makeSyntheticRavdess({ actors: 2, emotions: [1, 5, 4] });
  try {
    writeFileSync(join(corpus, 'Actor_01', '03-01-03-01-01-01-01.wav'), 'not audio');
    const loaded = await loadCorpus(corpus);
    const dataset = await buildDataset(loaded.items, {
      inputs: {
        features: { kind: 'vector', sets: [featureSpec('functionals', { stats: ['mean', 'std'] })] },
      },
      augment: { copies: 1, steps: [{ op: 'gain', params: { db: [-6, -3] } }], seed: 3 },
      augmentable: (i) => i.speaker === 'Actor_01',
      cache: join(temp, 'features'),
      derivedDir: join(temp, 'derived'),
      workers: 0,
    });
    assert.deepEqual(dataset.classes, ['neutral', 'happy', 'sad', 'angry']);
    assert.equal(dataset.dropped.length, 1);
    assert.match(dataset.dropped[0].source, /03-01-03-01-01-01-01/);
    const originals = dataset.rows.filter((r) => r.copy === 0);
    const copies = dataset.rows.filter((r) => r.copy > 0);
    assert.equal(originals.length, 6);
    assert.equal(copies.length, 3);
    for (const c of copies) {
      assert.equal(dataset.rows[c.origin].item.id, c.item.id);
      assert.equal(c.speaker, 'ravdess/Actor_01');
      assert.notEqual(c.audio, c.item.path);
      assert.ok(existsSync(c.audio));
    }
    const features = dataset.inputs.features;
    assert.equal(features.rows.length, dataset.rows.length);
    assert.deepEqual(features.shape, [120]);
    assert.equal(features.names?.length, 120);
    // A copy differs from its original (gain changes the MFCC means).
    const c = copies[0];
    assert.notDeepEqual(features.rows[dataset.rows.indexOf(c)], features.rows[c.origin]);
  } finally {
    removeSynthetic(corpus);
  }
});
