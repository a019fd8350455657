import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { extractFeatures } from '../../src/extract/extract.js';
import { collectAudioFiles } from '../../src/extract/extract-files.js';
import { writeFeatureOutput, type FeatureSidecar } from '../../src/extract/extract-output.js';
import { decodeNpy, encodeNpy, parseNpyHeader, readNpy, writeNpy } from '../../src/extract/npy.js';
import { featureSpec } from '../../src/features/sets.js';
import { freshDistSkip } from '../helpers/build.js';
import { repoRoot } from '../helpers/data.js';
import { writeBatch } from './helpers.js';

let dir: string;
let files: ReturnType<typeof writeBatch>;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'emovox-extract-out-'));
  mkdirSync(join(dir, 'in', 'sub'), { recursive: true });
  files = writeBatch(join(dir, 'in'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** numpy on PATH (pyenv python3 has numpy 2.x), else undefined: the numpy checks then skip. */
function numpyPython(): string | undefined {
  for (const python of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(python, ['-c', 'import numpy'], { encoding: 'utf8' });
    if (r.status === 0) return python;
  }
  return undefined;
}
const python = numpyPython();

describe('NPY writer', () => {
  test('header is NPY 1.0, 64-byte aligned, and parses back', () => {
    for (const shape of [[5], [2, 3], [2, 0, 4], [0]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = Float32Array.from({ length: n }, (_, i) => i * 0.5 - 1);
      const bytes = encodeNpy({ dtype: '<f4', shape, data });
      const header = parseNpyHeader(bytes);
      assert.deepEqual(header.version, [1, 0]);
      assert.equal(header.descr, '<f4');
      assert.equal(header.fortranOrder, false);
      assert.deepEqual(header.shape, shape);
      assert.equal(header.dataOffset % 64, 0);
      assert.equal(bytes[header.dataOffset - 1], 0x0a);
      assert.deepEqual(decodeNpy(bytes).data, data);
    }
    assert.match(
      encodeNpy({ dtype: '<i4', shape: [3], data: Int32Array.of(1, 2, 3) }).toString('latin1', 10, 80),
      /'shape': \(3,\)/,
    );
  });

  test('bad shapes and bad files are rejected', () => {
    assert.throws(
      () => encodeNpy({ dtype: '<f4', shape: [2, 2], data: new Float32Array(3) }),
      /needs 4 values/,
    );
    assert.throws(() => parseNpyHeader(Buffer.from('not numpy at all')), /bad magic/);
    const good = encodeNpy({ dtype: '<f4', shape: [4], data: new Float32Array(4) });
    assert.throws(() => decodeNpy(good.subarray(0, good.length - 2)), /bytes, shape needs/);
  });

  test(
    'numpy.load reads what writeNpy wrote',
    { skip: python ? false : 'python3 with numpy not found' },
    async () => {
      const path = join(dir, 'chunks.npy');
      await writeNpy(path, '<f4', [3, 2], [Float32Array.of(1, 2), Float32Array.of(3, 4, 5.5, -6)]);
      const r = spawnSync(
        python!,
        [
          '-c',
          'import numpy,sys; a=numpy.load(sys.argv[1]); print(a.dtype, a.shape, a.flags["C_CONTIGUOUS"], a.tolist())',
          path,
        ],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'float32 (3, 2) True [[1.0, 2.0], [3.0, 4.0], [5.5, -6.0]]');
    },
  );
});

describe('collectAudioFiles', () => {
  test('walks folders recursively, sorted, audio extensions only; files are kept as given', () => {
    writeFileSync(join(dir, 'in', 'sub', 'e.FLAC'), 'x');
    writeFileSync(join(dir, 'in', 'notes.txt'), 'x');
    writeFileSync(join(dir, 'in', '.hidden.wav'), 'x');
    const found = collectAudioFiles([join(dir, 'in'), join(dir, 'in', 'notes.txt')]);
    assert.deepEqual(found, [
      join(dir, 'in', 'a.wav'),
      join(dir, 'in', 'b.wav'),
      join(dir, 'in', 'bad.wav'),
      join(dir, 'in', 'c.wav'),
      join(dir, 'in', 'd.wav'),
      join(dir, 'in', 'sub', 'e.FLAC'),
      join(dir, 'in', 'notes.txt'),
    ]);
    rmSync(join(dir, 'in', 'sub', 'e.FLAC'));
    rmSync(join(dir, 'in', 'notes.txt'));
    rmSync(join(dir, 'in', '.hidden.wav'));
    assert.throws(() => collectAudioFiles([join(dir, 'nope')]), /no such file or folder/);
  });
  test('links are followed: a linked file and a linked folder count, a dangling link and a loop do not', () => {
    const root = mkdtempSync(join(tmpdir(), 'emovox-walk-'));
    try {
      mkdirSync(join(root, 'real'));
      writeFileSync(join(root, 'real', 'x.wav'), 'x');
      mkdirSync(join(root, 'in'));
      writeFileSync(join(root, 'in', 'a.wav'), 'x');
      symlinkSync(join(root, 'real', 'x.wav'), join(root, 'in', 'b.wav'));
      symlinkSync(join(root, 'real'), join(root, 'in', 'c-folder'));
      symlinkSync(join(root, 'missing.wav'), join(root, 'in', 'd.wav'));
      symlinkSync(join(root, 'in'), join(root, 'in', 'e-loop'));
      assert.deepEqual(collectAudioFiles([join(root, 'in')]), [
        join(root, 'in', 'a.wav'),
        join(root, 'in', 'b.wav'),
        join(root, 'in', 'c-folder', 'x.wav'),
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('writeFeatureOutput', () => {
  test('matrix sets: padded (files, maxFrames, bins) + lengths + sidecar', async () => {
    const result = await extractFeatures(files.all, featureSpec('mfcc40'), { workers: 0, cache: false });
    const out = join(dir, 'mfcc.npy');
    const written = await writeFeatureOutput(out, result);
    const lengths = result.results.map((r) => r.value.matrix!.frames);
    const maxFrames = Math.max(...lengths);
    assert.deepEqual(written.shape, [4, maxFrames, 40]);
    const npy = readNpy(out);
    assert.deepEqual(npy.shape, [4, maxFrames, 40]);
    const first = result.results[0].value.matrix!;
    assert.deepEqual(npy.data.subarray(0, first.data.length), first.data);
    assert.ok(
      npy.data.subarray(first.data.length, maxFrames * 40).every((v) => v === 0),
      'zero padding',
    );
    const lens = readNpy(written.lengths!);
    assert.equal(lens.dtype, '<i4');
    assert.deepEqual([...lens.data], lengths);
    const sidecar = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as FeatureSidecar;
    assert.deepEqual(
      sidecar.files.map((f) => f.source),
      files.good,
    );
    assert.deepEqual(sidecar.lengths, lengths);
    assert.equal(sidecar.kind, 'matrix');
    assert.equal(sidecar.spec.name, 'mfcc40');
    assert.equal(sidecar.failures.length, 1);
    assert.equal(sidecar.failures[0].source, files.bad);
    assert.match(sidecar.emovox, /^\d+\.\d+\.\d+/);
  });
});

describe('emovox features (CLI)', () => {
  const cli = join(repoRoot, 'src', 'cli', 'main.ts');
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', cli, 'features', ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
    });

  test('writes NPY + sidecar, exits 1 when a file failed, hits the cache on the second run', () => {
    const out = join(dir, 'cli.npy');
    const cache = join(dir, 'cli-cache');
    const args = [
      join(dir, 'in'),
      '--set',
      'mfcc40',
      '--out',
      out,
      '--workers',
      '2',
      '--cache',
      cache,
      '--json',
    ];
    const first = run(args);
    assert.equal(first.status, 1, first.stderr);
    const summary = JSON.parse(first.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    assert.equal(summary.files, 5);
    assert.equal(summary.extracted, 4);
    assert.equal(summary.failed, 1);
    assert.equal(summary.cacheHits, 0);
    const second = run(args);
    assert.equal(second.status, 1);
    assert.equal(
      (JSON.parse(second.stdout.trim().split('\n').at(-1)!) as { cacheHits: number }).cacheHits,
      4,
    );
    assert.deepEqual(readNpy(out).shape.slice(0, 1), [4]);
    if (python) {
      const r = spawnSync(
        python,
        ['-c', 'import numpy,sys; a=numpy.load(sys.argv[1]); print(a.dtype, a.ndim)', out],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(r.stdout.trim(), 'float32 3');
    }
  });

  test('exit 0 when every file worked; --no-cache; unknown set is a usage error', () => {
    const out = join(dir, 'new', 'sub', 'ok.npy'); // the output folder is created
    const ok = run([
      files.good[0],
      files.good[2],
      '--set',
      'mfcc40',
      '--out',
      out,
      '--no-cache',
      '-w',
      '0',
      '--param',
      'nMfcc=13',
    ]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(readNpy(out).shape, [2, 1 + Math.floor(Math.round(1.2 * 16000) / 512), 13]);
    assert.match(ok.stderr, /2\/2 files/);
    const bad = run([files.good[0], '--set', 'nope', '--out', out]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown feature set/);
  });
});

describe('compiled build', () => {
  test(
    'dist/cli/main.js runs the workers from dist/ (no tsx) with the same output',
    { skip: freshDistSkip() },
    () => {
      const fromDist = join(dir, 'dist.npy');
      const fromSrc = join(dir, 'src.npy');
      const args = [
        files.good[0],
        files.good[3],
        '--set',
        'mfcc40',
        '--no-cache',
        '--workers',
        '2',
        '--json',
      ];
      const a = spawnSync(
        process.execPath,
        [join(repoRoot, 'dist', 'cli', 'main.js'), 'features', ...args, '--out', fromDist],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(a.status, 0, a.stderr);
      const b = spawnSync(
        process.execPath,
        ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), 'features', ...args, '--out', fromSrc],
        { cwd: repoRoot, encoding: 'utf8' },
      );
      assert.equal(b.status, 0, b.stderr);
      assert.deepEqual(readNpy(fromDist), readNpy(fromSrc));
    },
  );
});
