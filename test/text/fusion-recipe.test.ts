// Paired audio + text training through a text recipe (`data.format: manifest` + a `fusion`
// member): a synthetic paired corpus (speech-like WAVs whose pitch and transcripts whose
// keywords both carry the class), with a fifth of the items missing their transcript, another
// fifth missing their audio, and one unreadable audio file. Early, late and attention fusion
// members train from the manifest, the run folder is complete (metrics, report, predictions,
// model bundles with ONNX), and items missing either modality are still classified.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { saveAudio } from '../../src/audio/save.js';
import { synthesizeSpeechLike } from '../../src/audio/synthetic.js';
import { loadBundle } from '../../src/models/bundle.js';
import { parseMetricsJson } from '../../src/report/index.js';
import { loadPairedManifest } from '../../src/text/corpus.js';
import { WordVocabulary } from '../../src/text/word-vocab.js';
import { runTextExperiment } from '../../src/train/text-experiment.js';
import { loadTextRecipe } from '../../src/train/text-recipe.js';
import { mulberry32 } from '../../src/util/random.js';
import { engineSkip } from '../models/engine-helpers.js';

const CLASSES: Record<string, { f0: number; words: string[] }> = {
  angry: { f0: 240, words: ['furious', 'hate', 'stupid'] },
  happy: { f0: 170, words: ['great', 'wonderful', 'yay'] },
  sad: { f0: 100, words: ['miss', 'sorry', 'cry'] },
};
const FILLER = ['the', 'we', 'it', 'was', 'then', 'so', 'you', 'know'];
const SR = 22050; // vector180's rate
let dir = '';

/** Manifest rows: per split, items whose modality pattern cycles both / no text / both / no audio / both. */
function writePairedCorpus(root: string): void {
  mkdirSync(join(root, 'wav'), { recursive: true });
  const random = mulberry32(5);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random.next() * xs.length)];
  const rows = ['id,split,label,text,audio,dialogue,speaker,turn'];
  const names = Object.keys(CLASSES);
  let n = 0;
  for (const [split, count] of [
    ['train', 60],
    ['dev', 24],
    ['test', 30],
  ] as const) {
    for (let i = 0; i < count; i++, n++) {
      const label = names[i % names.length];
      const pattern = Math.floor(i / names.length) % 5; // 1: no text, 3: no audio
      const words = [pick(FILLER), pick(FILLER), pick(CLASSES[label].words), pick(FILLER)].join(' ');
      const wav = `wav/u${n}.wav`;
      if (pattern !== 3)
        saveAudio(
          join(root, wav),
          synthesizeSpeechLike({
            sampleRate: SR,
            durationS: 0.5,
            f0Hz: CLASSES[label].f0 * (0.95 + 0.1 * random.next()),
            seed: n,
          }),
          SR,
        );
      rows.push(
        [
          `u${n}`,
          split,
          label,
          pattern === 1 ? '' : `"${words}"`,
          pattern === 3 ? '' : wav,
          `d${Math.floor(n / 2)}`,
          `s${n % 4}`,
          n % 2,
        ].join(','),
      );
    }
  }
  // One unreadable audio file (a train item keeps its text) and one file that does not exist.
  writeFileSync(join(root, 'wav', 'broken.wav'), 'not audio');
  rows.push('broken,train,happy,"so great then",wav/broken.wav,db,s0,0');
  rows.push('lost,train,sad,"we miss it",wav/lost.wav,dl,s1,0');
  writeFileSync(join(root, 'pairs.csv'), `${rows.join('\n')}\n`);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'emovox-fusion-recipe-'));
  writePairedCorpus(join(dir, 'corpus'));
  writeFileSync(
    join(dir, 'fusion.yaml'),
    [
      'task: text',
      'name: paired-fusion',
      'seed: 1',
      'data:',
      '  format: manifest',
      `  root: ${JSON.stringify(dir)}`,
      '  path: corpus/pairs.csv',
      '  audioFeatures: vector180',
      '  maxLength: 16',
      'members:',
      ...(['early', 'late', 'attention'] as const).flatMap((fusion) => [
        `  - name: ${fusion}`,
        `    model: { kind: fusion, fusion: ${fusion}, audioHidden: [32], embedDim: 16, textHidden: 16, dense: 32, fusedDim: 16, dropout: 0.1, modalityDropout: 0.3 }`,
        '    training: { epochs: 30, batchSize: 8, lr: 0.01, patience: 0 }',
      ]),
      'mix: dev',
    ].join('\n'),
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('loadPairedManifest: audio paths resolved, missing modalities kept, bad rows reported', async () => {
  const { items, problems } = await loadPairedManifest(join(dir, 'corpus', 'pairs.csv'));
  assert.equal(items.length, 60 + 24 + 30 + 2);
  const first = items[0];
  assert.equal(first.split, 'train');
  assert.equal(first.audio, join(dir, 'corpus', 'wav', 'u0.wav'));
  assert.equal(first.dialogue, 'd0');
  assert.ok(items.some((i) => i.text === '' && i.audio));
  assert.ok(items.some((i) => i.text !== '' && !i.audio));
  // The file that does not exist is reported; its item stays (text only).
  assert.equal(problems.length, 1, JSON.stringify(problems));
  assert.match(problems[0].problem, /lost\.wav not found/);
  assert.equal(items.find((i) => i.id === 'lost')?.audio, undefined);
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'split,label,text\nvalid,happy,hi\ntrain,,hi\ntrain,sad,\ntrain,sad,ok\n');
  const r = await loadPairedManifest(bad);
  assert.equal(r.items.length, 1);
  assert.deepEqual(
    r.problems.map((p) => p.problem),
    ['split "valid" is not train, dev or test', 'no label', 'neither text nor audio'],
  );
  writeFileSync(bad, 'label,text\nhappy,hi\n');
  await assert.rejects(loadPairedManifest(bad), /no "split" column/);
});

test('a fusion member without data.audioFeatures is refused before anything runs', () => {
  const path = join(dir, 'no-audio.yaml');
  writeFileSync(
    path,
    'task: text\ndata: { format: manifest, path: x.csv }\nmembers:\n  - model: { kind: fusion }\n',
  );
  assert.throws(() => loadTextRecipe(path), /needs data\.audioFeatures/);
});

test(
  'fusion recipe on a paired manifest: early/late/attention members, run folder with bundles, either modality missing',
  { skip: engineSkip() },
  async () => {
    const out = join(dir, 'run');
    const lines: string[] = [];
    const r = await runTextExperiment(loadTextRecipe(join(dir, 'fusion.yaml')), {
      out,
      onLog: (l) => lines.push(l),
    });
    assert.ok(
      lines.some((l) => /audio features vector180 \(180 values\): 93 of 116 items have audio/.test(l)),
      lines.join('\n'),
    );
    assert.ok(lines.some((l) => /audio of broken .* skipped/.test(l)));
    for (const f of [
      'metrics.json',
      'report.txt',
      'report.html',
      'predictions.csv',
      'members.json',
      'train.log',
    ])
      assert.ok(existsSync(join(out, f)), f);
    const metrics = parseMetricsJson(readFileSync(join(out, 'metrics.json'), 'utf8'));
    assert.equal(metrics.folds[0].name, 'test');
    assert.equal(r.members.length, 3);
    for (const m of r.members) assert.ok(m.dev.wa >= 0.75, `${m.name} dev accuracy ${m.dev.wa}`);
    assert.ok(r.test.wa >= 0.85, `test accuracy ${r.test.wa}`);
    // Items with only audio and items with only text are classified too.
    const right = (keep: (i: (typeof r.testItems)[number]) => boolean) => {
      const idx = r.testItems.map((it, i) => (keep(it) ? i : -1)).filter((i) => i >= 0);
      const correct = idx.filter((i) => {
        const p = r.testProbabilities.subarray(i * 3, i * 3 + 3);
        return r.classes[p.indexOf(Math.max(...p))] === r.testItems[i].label;
      }).length;
      return { correct, total: idx.length };
    };
    const audioOnly = right((it) => it.text === '');
    const textOnly = right((it) => !it.audio);
    assert.equal(audioOnly.total, 6);
    assert.equal(textOnly.total, 6);
    assert.ok(audioOnly.correct >= 5, `audio only: ${JSON.stringify(audioOnly)}`);
    assert.ok(textOnly.correct >= 5, `text only: ${JSON.stringify(textOnly)}`);
    // Each member's chosen model is a bundle: config with the filled-in fields, vocabulary and
    // audio statistics in the metadata, and an ONNX graph whose outputs equal the engine's.
    for (const name of ['early', 'late', 'attention']) {
      const bundleDir = join(out, 'models', name);
      const bundle = loadBundle(bundleDir);
      const config = bundle.config as unknown as Record<string, unknown>;
      assert.equal(config.kind, 'fusion');
      assert.equal(config.fusion, name);
      assert.equal(config.audioDim, 180);
      assert.equal(config.presence, true);
      assert.deepEqual(bundle.labels, ['angry', 'happy', 'sad']);
      const vocab = WordVocabulary.fromJSON(JSON.parse(bundle.metadata!['emovox.vocabulary']));
      assert.equal(vocab.size, config.vocabSize);
      const stats = JSON.parse(bundle.metadata!['emovox.audioFeatures']) as { set: string; mean: number[] };
      assert.equal(stats.set, 'vector180');
      assert.equal(stats.mean.length, 180);
      const session = await ort.InferenceSession.create(join(bundleDir, 'model.onnx'));
      assert.deepEqual([...session.inputNames].sort(), ['audio', 'presence', 'tokens']);
      // Text only (audio zeros, presence [0, 1]): 'so <keyword> then' for each class's three
      // keywords. Early and attention fusion read every keyword right. Late fusion's text head is
      // weaker here (pitch alone separates the classes, so its audio head carries the training
      // loss) and only has to beat chance clearly (3 of 9).
      let keywordsRight = 0;
      for (const [label, { words }] of Object.entries(CLASSES)) {
        for (const word of words) {
          const ids = vocab.encode(`so ${word} then`);
          const result = await session.run({
            audio: new ort.Tensor('float32', new Float32Array(180), [1, 180]),
            tokens: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
            presence: new ort.Tensor('float32', Float32Array.from([0, 1]), [1, 2]),
          });
          const logits = result.logits.data as Float32Array;
          if (bundle.labels[logits.indexOf(Math.max(...logits))] === label) keywordsRight++;
        }
      }
      assert.ok(
        keywordsRight >= (name === 'late' ? 5 : 9),
        `${name}: ${keywordsRight} of 9 keywords read right`,
      );
    }
  },
);
