// Exit codes and --json reporting of the CLI (issue #9 item 12): 2 = the command line is wrong
// (nothing done), 1 = some items failed, 0 = all good; --json keeps stdout one JSON document and
// still prints each problem on stderr.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { displayPath, problemLine } from '../../src/cli/report.js';
import { repoRoot } from '../helpers/data.js';
import { emovox } from '../helpers/system.js';

const wav = join(repoRoot, 'test', 'fixtures', 'audio', 'sine440_s16.wav');
let dir: string;
let good: string;
let bad: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'emovox-exit-'));
  good = join(dir, 'good.wav');
  bad = join(dir, 'bad.wav');
  copyFileSync(wav, good);
  writeFileSync(bad, 'RIFF\x10\x00\x00\x00WAVEjunk');
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('#9.12 exit codes', () => {
  for (const [what, args, pattern] of [
    [
      'an unknown option',
      ['features', 'x.wav', '--set', 'mfcc40', '--out', 'x.npy', '--bogus'],
      /unknown option '--bogus'/,
    ],
    [
      'a missing --out',
      ['features', 'x.wav', '--set', 'mfcc40'],
      /required option '-o, --out <file\.npy>' not specified/,
    ],
    [
      'a bad --workers',
      ['features', 'x.wav', '--set', 'mfcc40', '--out', 'x.npy', '--workers', '-3'],
      /--workers <n>' argument '-3' is invalid/,
    ],
    [
      'a bad --max-duration',
      ['features', 'x.wav', '--set', 'mfcc40', '--out', 'x.npy', '--max-duration', '0'],
      /--max-duration <seconds>' argument '0' is invalid/,
    ],
    [
      'a bad --layout',
      ['features', 'x.wav', '--set', 'mfcc40', '--out', 'x.npy', '--layout', 'jagged'],
      /Allowed choices are padded, ragged/,
    ],
    [
      'an unknown set',
      ['features', 'x.wav', '--set', 'nope', '--out', 'x.npy'],
      /^nope: unknown feature set/m,
    ],
    ['an unknown command', ['featurez'], /unknown command 'featurez'/],
  ] as const) {
    test(`${what}: exit 2`, () => {
      const run = emovox([...args], { cwd: dir });
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, pattern);
      assert.doesNotMatch(run.stderr, /at .*\.ts:\d+/, 'no stack trace');
    });
  }

  test('no audio files at all: exit 2 with the problems listed; --help and --version: exit 0', () => {
    const none = emovox([
      'features',
      join(dir, 'missing.wav'),
      '--set',
      'mfcc40',
      '--out',
      join(dir, 'n.npy'),
    ]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /problem: .*missing\.wav: no such file or folder/);
    assert.match(none.stderr, /^inputs: no audio files found in /m);
    assert.equal(emovox(['--help']).status, 0);
    assert.equal(emovox(['features', '--help']).status, 0);
    assert.equal(emovox(['--version']).status, 0);
  });

  test('one bad file among good ones: exit 1, the good ones written; --json: one JSON document, failures on stderr too', () => {
    const out = join(dir, 'j.npy');
    const run = emovox(['features', good, bad, '--set', 'mfcc40', '--out', out, '--no-cache', '--json']);
    assert.equal(run.status, 1);
    const summary = JSON.parse(run.stdout) as {
      extracted: number;
      failed: number;
      failures: { source: string; problem: string }[];
      outputs: { npy: string };
    };
    assert.equal(summary.extracted, 1);
    assert.equal(summary.failures.length, 1);
    assert.equal(summary.failures[0].source, bad);
    assert.match(summary.failures[0].problem, /^corrupt WAV: /);
    assert.equal(summary.outputs.npy, out);
    assert.match(
      run.stderr,
      new RegExp(`^failed: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: corrupt WAV`, 'm'),
    );
    const ok = emovox(['features', good, '--set', 'mfcc40', '--out', out, '--no-cache']);
    assert.equal(ok.status, 0, ok.stderr);
  });
});

describe('#9.13 report lines are one line each', () => {
  test('control characters in paths and problems are escaped', () => {
    assert.equal(displayPath('plain/a.wav'), 'plain/a.wav');
    assert.equal(displayPath('a\nb.wav'), '"a\\nb.wav"');
    assert.equal(displayPath('\u001b[31mred.wav'), '"\\u001b[31mred.wav"');
    assert.equal(displayPath('x\u2028y'), '"x\\u2028y"');
    assert.equal(problemLine('a\tb', 'bad\rthing'), '"a\\tb": bad\\rthing');
  });
});
