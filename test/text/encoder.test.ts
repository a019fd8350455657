import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/data.js';
import { torchPython, torchSkip } from '../helpers/torch.js';
import { loadHfTokenizer } from '../../src/text/load.js';
import { OnnxTextEncoder, pool } from '../../src/text/encoder.js';
import { EmovoxInputError } from '../../src/util/errors.js';

// A BERT-shaped encoder in plain torch.nn with seeded random weights (reference/text_encoder.py)
// is exported to ONNX at test time; emovox tokenizes with the fixture vocabulary, runs the ONNX
// file through onnxruntime and pools; the embeddings must equal PyTorch's on the same ids.
const skip = torchSkip();
const texts = ['I am so UNHAPPY!', 'Oh my god', 'you were right. yeah', 'hello'];
const pairs = [null, 'what?', null, 'cafe'];
let dir: string;
let expected: { cls: number[]; mean: number[]; pooler_output: number[]; shape: number[] };
const tokenizer = loadHfTokenizer(join(repoRoot, 'test', 'fixtures', 'text', 'wordpiece'));
const batch = tokenizer.encodeBatch(texts, { pairs, maxLength: 12 });

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'emovox-text-encoder-'));
  const rows = (a: BigInt64Array) =>
    Array.from({ length: batch.shape[0] }, (_, i) =>
      Array.from(a.subarray(i * batch.shape[1], (i + 1) * batch.shape[1]), Number),
    );
  writeFileSync(
    join(dir, 'inputs.json'),
    JSON.stringify({
      input_ids: rows(batch.inputIds),
      attention_mask: rows(batch.attentionMask),
      token_type_ids: rows(batch.tokenTypeIds),
    }),
  );
  const r = spawnSync(
    torchPython()!,
    [
      join(repoRoot, 'reference', 'text_encoder.py'),
      join(dir, 'inputs.json'),
      join(dir, 'bert.onnx'),
      join(dir, 'expected.json'),
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function maxDiff(a: Float32Array, b: number[]): number {
  assert.equal(a.length, b.length);
  let d = 0;
  a.forEach((v, i) => (d = Math.max(d, Math.abs(v - b[i]))));
  return d;
}

test('the batch has padding, a sentence pair and token types (so masks are exercised)', () => {
  assert.ok([...batch.attentionMask].includes(0n));
  assert.ok([...batch.tokenTypeIds].includes(1n));
});

for (const pooling of ['mean', 'cls'] as const) {
  test(
    `ONNX BERT-style encoder: ${pooling}-pooled embeddings equal PyTorch's within 1e-4`,
    { skip },
    async () => {
      const encoder = await OnnxTextEncoder.load(join(dir, 'bert.onnx'), {
        tokenizer,
        pooling,
        maxLength: 12,
        batchSize: 3,
      });
      assert.deepEqual([...encoder.inputNames].sort(), ['attention_mask', 'input_ids', 'token_type_ids']);
      const out = await encoder.embed(texts, pairs);
      assert.deepEqual(out.shape, [4, 16]);
      const diff = maxDiff(out.data, expected[pooling]);
      assert.ok(diff < 1e-4, `max |emovox - PyTorch| = ${diff}`);
      await encoder.release();
    },
  );
}

test('a [batch, hidden] output (pooler_output) is used as is; L2 normalisation', { skip }, async () => {
  const encoder = await OnnxTextEncoder.load(join(dir, 'bert.onnx'), {
    tokenizer,
    output: 'pooler_output',
    maxLength: 12,
  });
  const out = await encoder.embed(texts, pairs);
  assert.ok(maxDiff(out.data, expected.pooler_output) < 1e-4);
  await encoder.release();
  const unit = await OnnxTextEncoder.load(join(dir, 'bert.onnx'), {
    tokenizer,
    l2Normalize: true,
    maxLength: 12,
  });
  const u = await unit.embed(texts.slice(0, 1));
  assert.ok(Math.abs(u.data.reduce((s, v) => s + v * v, 0) - 1) < 1e-5);
  await unit.release();
});

test('bad encoders and options are reported', { skip }, async () => {
  await assert.rejects(OnnxTextEncoder.load(new Uint8Array([1, 2, 3]), { tokenizer }), EmovoxInputError);
  await assert.rejects(
    OnnxTextEncoder.load(join(dir, 'bert.onnx'), { tokenizer, output: 'nope' }),
    /no output nope/,
  );
  await assert.rejects(
    OnnxTextEncoder.load(join(dir, 'bert.onnx'), { tokenizer, pooling: 'sum' as 'mean' }),
    /pooling/,
  );
});

test('pool: cls, masked mean and max over real tokens; empty rows give zeros', () => {
  // batch 2, tokens 3, dim 2
  const h = Float32Array.from([1, 2, 3, 4, 100, 100, 5, 6, 7, 8, 9, 10]);
  const mask = BigInt64Array.from([1n, 1n, 0n, 0n, 0n, 0n]);
  assert.deepEqual([...pool(h, mask, 2, 3, 2, 'cls')], [1, 2, 5, 6]);
  assert.deepEqual([...pool(h, mask, 2, 3, 2, 'mean')], [2, 3, 0, 0]);
  assert.deepEqual([...pool(h, mask, 2, 3, 2, 'max')], [3, 4, 0, 0]);
});
