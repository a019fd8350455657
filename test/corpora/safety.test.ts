// Corpus and manifest input contracts (issue #9 items 5, 10, 11, 12): unreadable folders are
// problems, manifests cannot reach outside their folder, bad rows are reported by line, and a
// manifest that cannot be used at all says why.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCorpus } from '../../src/cli/commands/corpus.js';
import { loadCorpus } from '../../src/corpora/load.js';
import { loadManifestFile } from '../../src/corpora/loaders/manifest.js';
import type { CorpusProblem } from '../../src/corpora/types.js';
import { EmovoxInputError, EmovoxParameterError } from '../../src/util/errors.js';
import { repoRoot } from '../helpers/data.js';
import { emovox, isRoot, NOBODY, runModuleAs, sharedScratch } from '../helpers/system.js';

const wav = join(repoRoot, 'test', 'fixtures', 'audio', 'sine440_s16.wav');
let dir: string;

before(() => {
  dir = sharedScratch('emovox-corpus-safety-');
  mkdirSync(join(dir, 'm', 'clips'), { recursive: true });
  for (const name of ['a', 'b', 'c']) copyFileSync(wav, join(dir, 'm', 'clips', `${name}.wav`));
  writeFileSync(join(dir, 'secret.wav'), readFileSync(wav));
});
after(() => {
  chmodSync(dir, 0o700);
  rmSync(dir, { recursive: true, force: true });
});

const lines = (problems: CorpusProblem[]) =>
  problems.map((p) => `${p.source.slice(p.source.lastIndexOf('/') + 1)} ${p.problem}`);

describe('#9.10 manifest paths stay inside the manifest folder', () => {
  test('../, absolute paths, /proc and links out of the folder are refused unless allowed', async () => {
    const m = join(dir, 'm');
    symlinkSync(join(dir, 'secret.wav'), join(m, 'clips', 'link.wav'));
    writeFileSync(
      join(m, 'escape.csv'),
      [
        'path,label',
        'clips/a.wav,angry',
        '../secret.wav,happy',
        '/etc/shadow,sad',
        '/proc/self/environ,sad',
        'clips/link.wav,calm',
        `${join(m, 'clips', 'b.wav')},neutral`,
      ].join('\n'),
    );
    const strict = await loadManifestFile(join(m, 'escape.csv'));
    assert.deepEqual(
      strict.items.map((i) => i.label),
      ['angry', 'neutral'],
      'an absolute path inside the folder is fine',
    );
    assert.deepEqual(
      strict.problems.map((p) => [p.source.split(':').pop(), p.failed]),
      [
        ['3', true],
        ['4', true],
        ['5', true],
        ['6', true],
      ],
    );
    assert.match(strict.problems[0].problem, /^path \.\.\/secret\.wav lies outside the manifest's folder/);
    assert.match(strict.problems[1].problem, /^path \/etc\/shadow lies outside/);
    assert.match(strict.problems[2].problem, /^path \/proc\/self\/environ lies outside/);
    assert.match(
      strict.problems[3].problem,
      /^clips\/link\.wav is a link to a file outside the manifest's folder/,
    );
    const allowed = await loadManifestFile(join(m, 'escape.csv'), { allowOutsideRoot: true });
    assert.ok(allowed.items.some((i) => i.path.endsWith('secret.wav')));
    assert.ok(allowed.items.some((i) => i.path.endsWith('link.wav')));
    // The corpus command passes the flag on.
    const out: string[] = [];
    const err: string[] = [];
    assert.equal(
      await runCorpus(
        [join(m, 'escape.csv')],
        { json: true, duration: false },
        (l) => out.push(l),
        (l) => err.push(l),
      ),
      1,
    );
    assert.equal(err.filter((l) => /lies outside|link to a file outside/.test(l)).length, 4);
    const wide = await runCorpus(
      [join(m, 'escape.csv')],
      { json: true, duration: false, allowOutsideRoot: true },
      () => undefined,
      () => undefined,
    );
    assert.equal(
      wide,
      0,
      '/etc/shadow and /proc/self/environ are regular files: allowed, listed (and fail later as audio)',
    );
  });
});

describe('#9.11 manifest contents', () => {
  test('a missing column is named, with the columns found; an empty manifest says so', async () => {
    const m = join(dir, 'm');
    writeFileSync(join(m, 'nocol.csv'), 'file_name,emotion_x\nclips/a.wav,angry\n');
    await assert.rejects(loadCorpus(join(m, 'nocol.csv')), (e: unknown) => {
      assert.ok(e instanceof EmovoxInputError);
      assert.equal(
        e.problem,
        'manifest has no path column (expected one of: path, file, filename, wav, audio) and no label column (expected one of: label, emotion); columns found: file_name, emotion_x',
      );
      return true;
    });
    writeFileSync(join(m, 'nolabel.jsonl'), '{"path":"clips/a.wav","mood":"angry"}\n');
    await assert.rejects(
      loadCorpus(join(m, 'nolabel.jsonl')),
      /has no label column \(expected one of: label, emotion\); columns found: path, mood/,
    );
    writeFileSync(join(m, 'empty.csv'), '');
    await assert.rejects(loadCorpus(join(m, 'empty.csv')), /empty manifest file/);
    writeFileSync(join(m, 'blank.csv'), '\n\n  \n');
    await assert.rejects(loadCorpus(join(m, 'blank.csv')), /empty manifest file/);
    const err: string[] = [];
    assert.equal(
      await runCorpus(
        [join(m, 'nocol.csv')],
        { duration: false },
        () => undefined,
        (l) => err.push(l),
      ),
      1,
    );
    assert.match(err[0], /nocol\.csv: manifest has no path column/);
  });

  test('UTF-16 manifests (with or without a byte-order mark) are read', async () => {
    const m = join(dir, 'm');
    const text = 'path,label\nclips/a.wav,angry\nclips/b.wav,sad\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    writeFileSync(join(m, 'le.csv'), le);
    writeFileSync(join(m, 'be.csv'), be);
    writeFileSync(join(m, 'nobom.csv'), Buffer.from(text, 'utf16le'));
    for (const name of ['le.csv', 'be.csv', 'nobom.csv']) {
      const c = await loadCorpus(join(m, name));
      assert.deepEqual(
        c.items.map((i) => i.label),
        ['angry', 'sad'],
        name,
      );
    }
  });

  test('bad lines are reported by number and the good lines kept (JSONL and CSV)', async () => {
    const m = join(dir, 'm');
    writeFileSync(
      join(m, 'bad.jsonl'),
      '{"path":"clips/a.wav","label":"angry"}\n{bad json\n[1,2]\n\n{"path":"clips/b.wav","label":"sad"}\n',
    );
    const j = await loadManifestFile(join(m, 'bad.jsonl'));
    assert.deepEqual(
      j.items.map((i) => i.label),
      ['angry', 'sad'],
    );
    assert.deepEqual(
      lines(j.problems).map((l) => l.replace(/ \(.*\)/, '')),
      ['bad.jsonl:2 not a JSON object; line skipped', 'bad.jsonl:3 not a JSON object; line skipped'],
    );
    writeFileSync(join(m, 'bad.csv'), 'path,label\nclips/a.wav,angry\n"clips/b.wav,sad\nclips/c.wav,happy\n');
    const c = await loadManifestFile(join(m, 'bad.csv'));
    assert.deepEqual(
      c.items.map((i) => i.label),
      ['angry', 'happy'],
      'an unclosed quote loses its own line only',
    );
    assert.match(lines(c.problems)[0], /^bad\.csv:3 not a valid CSV row/);
  });

  test('one file with two different labels is left out and every such row reported; identical duplicates are reported once', async () => {
    const m = join(dir, 'm');
    writeFileSync(
      join(m, 'dup.csv'),
      'path,label\nclips/a.wav,angry\nclips/b.wav,sad\nclips/a.wav,happy\nclips/b.wav,sad\nclips/c.wav,calm\n',
    );
    const c = await loadCorpus(join(m, 'dup.csv'));
    assert.deepEqual(
      c.items.map((i) => [i.path.split('/').pop(), i.label]),
      [
        ['b.wav', 'sad'],
        ['c.wav', 'calm'],
      ],
    );
    const texts = lines(c.problems);
    assert.equal(
      texts.filter((t) =>
        /conflicting labels .*a\.wav: line 2 says "angry", line 4 says "happy"; left out/.test(t),
      ).length,
      2,
    );
    assert.equal(texts.filter((t) => /duplicate of .*b\.wav/.test(t)).length, 1);
  });

  test('a row naming a FIFO is a problem, not a hang', async () => {
    const m = join(dir, 'm');
    assert.equal(spawnSync('mkfifo', [join(m, 'clips', 'pipe.wav')]).status, 0);
    writeFileSync(join(m, 'fifo.csv'), 'path,label\nclips/pipe.wav,angry\nclips/a.wav,sad\n');
    const c = await loadManifestFile(join(m, 'fifo.csv'));
    assert.equal(c.items.length, 1);
    assert.match(
      c.problems[0].problem,
      /clips\/pipe\.wav is a FIFO \(named pipe\), not a regular audio file/,
    );
  });
});

describe('#9.5 an unreadable sub-folder is a problem, the walk goes on', () => {
  // Root ignores folder permissions: the listing then runs in a child process as `nobody`.
  test('features and corpus list the rest and name the folder', () => {
    const tree = join(dir, 'tree');
    mkdirSync(join(tree, 'happy'), { recursive: true });
    mkdirSync(join(tree, 'sad'), { recursive: true });
    copyFileSync(wav, join(tree, 'happy', 'h1.wav'));
    copyFileSync(wav, join(tree, 'sad', 's1.wav'));
    chmodSync(join(tree, 'sad'), 0o000);
    try {
      const walked = runModuleAs<{ files: string[]; problems: { source: string; problem: string }[] }>(
        `import { collectAudioFiles } from './src/extract/extract-files.ts';
         const problems = []; const files = collectAudioFiles([${JSON.stringify(tree)}], problems);
         console.log(JSON.stringify({ files, problems }));`,
        { unprivileged: true },
      );
      assert.deepEqual(walked.files, [join(tree, 'happy', 'h1.wav')]);
      assert.deepEqual(walked.problems, [
        {
          source: join(tree, 'sad'),
          problem: 'cannot list folder (permission denied); its files were skipped',
        },
      ]);
      const corpus = runModuleAs<{ corpus: string; items: number; problems: CorpusProblem[] }>(
        `import { loadCorpus } from './src/corpora/load.ts';
         const c = await loadCorpus(${JSON.stringify(tree)}, { corpus: 'folders' });
         console.log(JSON.stringify({ corpus: c.corpus, items: c.items.length, problems: c.problems }));`,
        { unprivileged: true },
      );
      assert.equal(corpus.items, 1, 'the readable folder is still loaded');
      assert.deepEqual(corpus.problems[0], {
        source: join(tree, 'sad'),
        problem: 'cannot list folder (permission denied); its files are missing from the corpus',
        failed: true,
      });
      // The CLI, as the same user: output written for what could be read, exit 1, folder named.
      const out = join(dir, 'walk.npy');
      const run = emovox(['features', tree, '--set', 'mfcc40', '--out', out, '--no-cache'], {
        uid: isRoot() ? NOBODY : undefined,
        env: { HOME: dir },
      });
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, /problem: .*tree\/sad: cannot list folder \(permission denied\)/);
      assert.equal(JSON.parse(readFileSync(`${out}.json`, 'utf8')).files.length, 1);
    } finally {
      chmodSync(join(tree, 'sad'), 0o755);
    }
  });
});

describe('#9.12 corpus command usage errors and --list', () => {
  test('bad options are parameter errors; --list never overwrites an input and is written atomically', async () => {
    await assert.rejects(runCorpus([dir], { concurrency: 0 }), EmovoxParameterError);
    await assert.rejects(runCorpus([dir], { corpus: 'bogus' }), EmovoxParameterError);
    const manifest = join(dir, 'm', 'list-in.csv');
    writeFileSync(manifest, 'path,label\nclips/a.wav,angry\n');
    await assert.rejects(
      runCorpus([manifest], { list: manifest, duration: false }),
      /refusing to overwrite an input/,
    );
    assert.equal(readFileSync(manifest, 'utf8'), 'path,label\nclips/a.wav,angry\n');
    const list = join(dir, 'items.jsonl');
    assert.equal(
      await runCorpus(
        [manifest],
        { list, duration: false },
        () => undefined,
        () => undefined,
      ),
      0,
    );
    assert.equal(readFileSync(list, 'utf8').trim().split('\n').length, 1);
    const unknown = emovox(['corpus', dir, '--corpus', 'bogus']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /--corpus: bogus: unknown corpus/);
  });
});
