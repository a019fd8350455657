// The failure contract of the extraction pipeline (issue #9): outputs are never lost or mixed,
// inputs are never overwritten, caches never serve damaged values, limits are checked before work.
import assert from 'node:assert/strict';
import {
  chmodSync,
  closeSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { FeatureCache } from '../../src/extract/cache.js';
import { extractFeatures, extractOne, type ExtractResult } from '../../src/extract/extract.js';
import { writeFeatureOutput, type FeatureSidecar } from '../../src/extract/extract-output.js';
import { readNpy } from '../../src/extract/npy.js';
import { featureSpecHash } from '../../src/extract/spec-hash.js';
import { checkFeatureSpec, featureSpec } from '../../src/features/sets.js';
import { EmovoxInputError, EmovoxParameterError } from '../../src/util/errors.js';
import { emovox, emovoxAsync, tmpfsSkip, withTmpfs } from '../helpers/system.js';
import { batchFixture, tone, writeWav } from './helpers.js';

const fixture = batchFixture('emovox-failures-');

function snapshot(paths: string[]): Buffer[] {
  return paths.map((p) => readFileSync(p));
}

async function small(spec = featureSpec('mfcc40')): Promise<ExtractResult> {
  return extractFeatures(fixture.files.good.slice(0, 2), spec, { workers: 0, cache: false });
}

describe('#9.1 outputs are written as one atomic set', () => {
  test('a blocked output is refused before anything is written; the previous set stays', async () => {
    const out = join(fixture.dir, 'set.npy');
    const first = await writeFeatureOutput(out, await small());
    const paths = [first.npy, first.lengths!, first.sidecar];
    const before = snapshot(paths);
    // The sidecar's place is taken by a folder: checked before the NPY is even staged.
    rmSync(first.sidecar);
    mkdirSync(first.sidecar);
    const bigger = await extractFeatures(fixture.files.good, featureSpec('mfcc40'), {
      workers: 0,
      cache: false,
    });
    await assert.rejects(writeFeatureOutput(out, bigger), /set\.npy\.json: exists and is a directory/);
    assert.deepEqual(snapshot(paths.slice(0, 2)), before.slice(0, 2), 'NPY and lengths untouched');
    assert.deepEqual(
      readdirSync(fixture.dir).filter((n) => n.endsWith('.tmp')),
      [],
      'no temporary file left',
    );
    rmSync(first.sidecar, { recursive: true });
    const second = await writeFeatureOutput(out, bigger);
    const sidecar = JSON.parse(readFileSync(second.sidecar, 'utf8')) as FeatureSidecar;
    assert.equal(
      sidecar.bytes[out],
      readFileSync(out).length,
      'the sidecar records the byte size of the array',
    );
    assert.deepEqual(readNpy(out).shape, sidecar.shape);
  });

  test(
    'a write that fails part-way (read-only folder) keeps the previous set',
    {
      skip:
        process.getuid?.() === 0
          ? 'root ignores folder permissions; the tmpfs test below covers this path'
          : false,
    },
    async () => {
      const sub = join(fixture.dir, 'readonly');
      mkdirSync(sub, { recursive: true });
      const out = join(sub, 'r.npy');
      const first = await writeFeatureOutput(out, await small());
      const before = snapshot([first.npy, first.lengths!, first.sidecar]);
      chmodSync(sub, 0o500);
      try {
        await assert.rejects(writeFeatureOutput(out, await small()), /cannot write: EACCES/);
      } finally {
        chmodSync(sub, 0o700);
      }
      assert.deepEqual(snapshot([first.npy, first.lengths!, first.sidecar]), before);
    },
  );

  test('a result where every file failed writes nothing and keeps the previous outputs', async () => {
    const out = join(fixture.dir, 'keep.npy');
    const first = await writeFeatureOutput(out, await small());
    const before = snapshot([first.npy, first.sidecar]);
    const empty = await extractFeatures([fixture.files.bad], featureSpec('mfcc40'), {
      workers: 0,
      cache: false,
    });
    await assert.rejects(writeFeatureOutput(out, empty), /not written: no file was extracted/);
    assert.deepEqual(snapshot([first.npy, first.sidecar]), before);
  });

  test(
    'disk full on a 1 MiB tmpfs: the error names the file, the previous outputs stay',
    { skip: tmpfsSkip() },
    async () => {
      await withTmpfs(1024 * 1024, async (mount) => {
        const out = join(mount, 'f.npy');
        const first = await writeFeatureOutput(out, await small());
        const paths = [first.npy, first.lengths!, first.sidecar];
        const before = snapshot(paths);
        // Five 30-second files of logmel-frames need ~1.5 MB: more than the tmpfs holds.
        const long = join(fixture.dir, 'long');
        mkdirSync(long, { recursive: true });
        const inputs = [0, 1, 2, 3, 4].map((i) => {
          const path = join(long, `l${i}.wav`);
          writeWav(path, tone(100 + 20 * i, 30, 16000), 16000);
          return path;
        });
        const big = await extractFeatures(inputs, featureSpec('logmel-frames'), { workers: 0, cache: false });
        await assert.rejects(writeFeatureOutput(out, big), (e: unknown) => {
          assert.ok(e instanceof EmovoxInputError);
          assert.match(e.source, /f\.(npy|lengths\.npy|npy\.json)$/);
          assert.match(e.problem, /ENOSPC/);
          return true;
        });
        assert.deepEqual(snapshot(paths), before);
        assert.deepEqual(readdirSync(mount).sort(), ['f.lengths.npy', 'f.npy', 'f.npy.json']);

        // The CLI: exit 1, "not written" naming the file, previous outputs intact.
        const run = emovox([
          'features',
          ...inputs,
          '--set',
          'logmel-frames',
          '--out',
          out,
          '--no-cache',
          '--workers',
          '0',
        ]);
        assert.equal(run.status, 1, run.stderr);
        assert.match(run.stderr, /not written: .*f\.(npy|lengths\.npy|npy\.json): cannot write: ENOSPC/);
        assert.deepEqual(snapshot(paths), before);
      });
    },
  );
});

describe('#9.1 a signal during the write leaves the previous outputs intact', () => {
  // A job whose output is large (one 3-minute file padded with 60 short ones: ~176 MB), so the
  // signal lands while the temporary file is being written.
  let job: string;
  let inputs: string[];
  let cache: string;
  before(async () => {
    job = join(fixture.dir, 'signal');
    mkdirSync(job, { recursive: true });
    cache = join(job, 'cache');
    writeWav(join(job, 'long.wav'), tone(120, 180, 16000), 16000);
    for (let i = 0; i < 60; i++)
      writeWav(join(job, `s${String(i).padStart(2, '0')}.wav`), tone(150 + i, 0.2, 16000), 16000);
    inputs = readdirSync(job)
      .filter((n) => n.endsWith('.wav'))
      .map((n) => join(job, n));
    // Warm the cache so the run below spends its time writing.
    await extractFeatures(inputs, featureSpec('logmel-frames'), { workers: 1, cache });
  });

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    test(`${signal} while the NPY is being written`, async () => {
      const out = join(job, `prev-${signal}.npy`);
      const first = await writeFeatureOutput(
        out,
        await extractFeatures(inputs.slice(1, 3), featureSpec('logmel-frames'), { workers: 0, cache }),
      );
      const paths = [first.npy, first.lengths!, first.sidecar];
      const before = snapshot(paths);
      const child = emovoxAsync([
        'features',
        ...inputs,
        '--set',
        'logmel-frames',
        '--out',
        out,
        '--cache',
        cache,
        '--workers',
        '1',
      ]);
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('exit', (code, sig) => resolve({ code, signal: sig })),
      );
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const temp = new RegExp(`^\\.prev-${signal}\\.npy\\.\\d+\\.[0-9a-f]+\\.tmp$`);
      let seen = false;
      const deadline = Date.now() + 60_000;
      while (!seen && Date.now() < deadline) {
        seen = readdirSync(job).some((n) => temp.test(n));
        if (!seen) await new Promise((r) => setTimeout(r, 2));
      }
      assert.ok(seen, `the temporary NPY never appeared; stderr: ${stderr}`);
      child.kill(signal);
      const end = await exited;
      if (signal === 'SIGINT') assert.equal(end.code, 130, stderr);
      else assert.equal(end.signal, 'SIGKILL');
      assert.deepEqual(snapshot(paths), before, 'previous outputs are byte-identical');
      const leftovers = readdirSync(job).filter((n) => temp.test(n));
      if (signal === 'SIGINT') assert.deepEqual(leftovers, [], 'SIGINT removes the temporary files');
      else for (const n of leftovers) rmSync(join(job, n)); // SIGKILL cannot be handled: a hidden .tmp may stay
    });
  }
});

describe('#9.2 an output never replaces an input', () => {
  test('the library refuses an output that is one of the extracted files', async () => {
    const result = await small();
    const victim = result.results[0].source;
    const before = readFileSync(victim);
    await assert.rejects(writeFeatureOutput(victim, result), EmovoxParameterError);
    assert.deepEqual(readFileSync(victim), before);
  });

  test('the CLI refuses --out a.wav, an input named .npy, and exits 2 with the input untouched', () => {
    const a = fixture.files.good[0];
    const before = readFileSync(a);
    const wav = emovox(['features', a, '--set', 'mfcc40', '--out', a, '--no-cache']);
    assert.equal(wav.status, 2);
    assert.match(wav.stderr, /--out: .*a\.wav: must end in \.npy/);
    assert.deepEqual(readFileSync(a), before);
    const disguised = join(fixture.dir, 'audio.npy');
    writeFileSync(disguised, before);
    const npy = emovox(['features', disguised, '--set', 'mfcc40', '--out', disguised, '--no-cache']);
    assert.equal(npy.status, 2);
    assert.match(npy.stderr, /refusing to overwrite an input/);
    assert.deepEqual(readFileSync(disguised), before);
  });
});

describe('#9.3 the cache verifies every entry', () => {
  for (const damage of ['flipped byte', 'NaN written into the values'] as const) {
    test(`a ${damage} is a miss with a warning, recomputed and rewritten`, async () => {
      const cache = new FeatureCache(join(fixture.dir, `cache-${damage.split(' ')[0]}`));
      const spec = featureSpec('vector180');
      const good = await extractOne(fixture.files.good[0], spec, cache);
      const entry = cache.entryPath(good.fileHash, featureSpecHash(spec));
      const bytes = readFileSync(entry);
      if (damage === 'flipped byte') bytes[bytes.length - 5] ^= 0x01;
      else bytes.writeFloatLE(NaN, bytes.length - 8);
      writeFileSync(entry, bytes);
      const again = await extractOne(fixture.files.good[0], spec, cache);
      assert.equal(again.cached, false, 'a damaged entry is never a hit');
      assert.deepEqual(again.value.vector, good.value.vector);
      assert.ok(again.value.vector!.every(Number.isFinite));
      assert.equal(again.warnings.length, 1);
      assert.match(
        again.warnings[0],
        /feature cache entry .*\.evf is bad \(checksum mismatch.*recomputed and rewritten/,
      );
      assert.equal(cache.counters.corrupt, 1);
      const third = await extractOne(fixture.files.good[0], spec, cache);
      assert.equal(third.cached, true, 'the entry was rewritten');
      assert.deepEqual(third.warnings, []);
      // Through the batch API and its workers, the warning reaches the result.
      rmSync(entry);
      writeFileSync(entry, bytes);
      const batch = await extractFeatures([fixture.files.good[0]], spec, { workers: 1, cache: cache.dir });
      assert.match(batch.results[0].warnings[0], /checksum mismatch/);
    });
  }
});

describe('#9.7 long files', () => {
  test('a 2-hour WAV is refused from its header in milliseconds, without reading its samples', async () => {
    const path = join(fixture.dir, 'two-hours.wav');
    const rate = 16000;
    const bytes = rate * 2 * 7200;
    const header = Buffer.alloc(44);
    header.write('RIFF', 0, 'latin1');
    header.writeUInt32LE(36 + bytes, 4);
    header.write('WAVEfmt ', 8, 'latin1');
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(rate, 24);
    header.writeUInt32LE(rate * 2, 28);
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36, 'latin1');
    header.writeUInt32LE(bytes, 40);
    const fd = openSync(path, 'w');
    writeSync(fd, header);
    ftruncateSync(fd, 44 + bytes); // sparse: 230 MB of silence that takes no disk space
    closeSync(fd);
    const rss = process.memoryUsage().rss;
    const started = performance.now();
    await assert.rejects(
      extractOne(path, featureSpec('prosodic'), undefined, { maxFileBytes: 2 ** 30 }),
      /audio is 7200\.0 s long, above the limit of 1800 s \(option maxDuration, CLI --max-duration\); not decoded/,
    );
    const ms = performance.now() - started;
    const grown = (process.memoryUsage().rss - rss) / 2 ** 20;
    assert.ok(ms < 3000, `refusal took ${ms.toFixed(0)} ms`);
    // The file is read once for its hash (230 MB) but never decoded: decoding would add ~1 GB.
    assert.ok(grown < 400, `RSS grew by ${grown.toFixed(0)} MiB`);
    // A raised limit lets a shorter cut through: maxDuration applies to what is decoded.
    const result = await extractFeatures([path], featureSpec('mfcc40'), {
      workers: 0,
      cache: false,
      maxFileBytes: 2 ** 30,
      maxDuration: 100,
    });
    assert.match(result.failures[0].problem, /above the limit of 100 s/);
  });

  test('matrix outputs: ragged layout stores only the frames, padded layout reports its padding', async () => {
    const result = await extractFeatures(fixture.files.good, featureSpec('mfcc40'), {
      workers: 0,
      cache: false,
    });
    const ragged = await writeFeatureOutput(join(fixture.dir, 'ragged.npy'), result, { layout: 'ragged' });
    const frames = result.results.map((r) => r.value.matrix!.frames);
    assert.deepEqual(ragged.shape, [frames.reduce((a, b) => a + b, 0), 40]);
    const offsets = readNpy(ragged.offsets!);
    assert.deepEqual(Array.from(offsets.data), [
      0,
      ...frames.map((_, i) => frames.slice(0, i + 1).reduce((a, b) => a + b, 0)),
    ]);
    const data = readNpy(ragged.npy).data;
    const second = result.results[1].value.matrix!;
    assert.deepEqual(data.subarray(offsets.data[1] * 40, offsets.data[2] * 40), second.data);
    const padded = await writeFeatureOutput(join(fixture.dir, 'padded.npy'), result);
    assert.deepEqual(padded.padding, {
      dataBytes: frames.reduce((a, b) => a + b, 0) * 40 * 4,
      arrayBytes: 4 * Math.max(...frames) * 40 * 4,
    });
  });

  test('the CLI says what padding costs when lengths are very unequal', () => {
    const job = join(fixture.dir, 'unequal');
    mkdirSync(job, { recursive: true });
    writeWav(join(job, 'long.wav'), tone(120, 60, 16000), 16000);
    for (let i = 0; i < 5; i++) writeWav(join(job, `s${i}.wav`), tone(200, 0.2, 16000), 16000);
    const run = emovox(['features', job, '--set', 'mfcc40', '--out', join(job, 'u.npy'), '--no-cache']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stderr,
      /note: .*u\.npy is 1\.7 MiB, 1\.4 MiB of it zero padding \(files of 7 to 1876 frames\); --layout ragged stores only the frames/,
    );
    const ragged = emovox([
      'features',
      job,
      '--set',
      'mfcc40',
      '--out',
      join(job, 'r.npy'),
      '--no-cache',
      '--layout',
      'ragged',
    ]);
    assert.equal(ragged.status, 0, ragged.stderr);
    assert.doesNotMatch(ragged.stderr, /padding/);
    assert.deepEqual(readNpy(join(job, 'r.npy')).shape, [1876 + 5 * 7, 40]);
  });
});

describe('#9.8 worker count', () => {
  test('more workers than cores are capped, with a note', async () => {
    const cores = availableParallelism();
    const result = await extractFeatures(fixture.files.good, featureSpec('mfcc40'), {
      workers: 256,
      cache: false,
    });
    assert.equal(result.stats.workers, Math.min(cores, fixture.files.good.length));
    assert.deepEqual(result.notes, [`workers: 256 requested, capped at the ${cores} available cores`]);
    await assert.rejects(
      extractFeatures(fixture.files.good, featureSpec('mfcc40'), { workers: -1 }),
      EmovoxParameterError,
    );
  });
});

describe('#9.9 the whole spec is checked before any work', () => {
  test('nMfcc 0, nFft 1, hopLength 0, nMels 0 are parameter errors, found once, before any file is read', async () => {
    for (const [key, value, pattern] of [
      ['nMfcc', 0, /nMfcc/],
      ['nFft', 1, /nFft|n_fft/i],
      ['hopLength', 0, /hopLength/],
      ['nMels', 0, /nMels/],
    ] as const) {
      const spec = featureSpec('mfcc40', { [key]: value });
      assert.throws(
        () => checkFeatureSpec(spec),
        (e: unknown) => e instanceof EmovoxParameterError && pattern.test(e.message),
      );
      // No file is touched: a batch of missing files still fails on the spec, not per file.
      await assert.rejects(
        extractFeatures([join(fixture.dir, 'does-not-exist.wav')], spec, { workers: 0, cache: false }),
        EmovoxParameterError,
      );
    }
    checkFeatureSpec(featureSpec('mfcc40', { nMfcc: 13, fmax: 8000 }));
  });

  test('the CLI exits 2 and leaves the previous outputs alone', async () => {
    const out = join(fixture.dir, 'spec.npy');
    const first = await writeFeatureOutput(out, await small());
    const before = snapshot([first.npy, first.sidecar]);
    const run = emovox([
      'features',
      ...fixture.files.good,
      '--set',
      'mfcc40',
      '--out',
      out,
      '-p',
      'nMfcc=0',
      '--no-cache',
    ]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^mfcc40: invalid parameters: nMfcc: must be an integer >= 1, got 0 \(mfcc\)$/m);
    assert.doesNotMatch(run.stderr, /failed:/, 'not one failure per file');
    assert.deepEqual(snapshot([first.npy, first.sidecar]), before);
  });
});
