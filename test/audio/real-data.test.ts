import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadAudio, readAudioInfo } from '../../src/audio/index.js';
import { errorMessage } from '../../src/util/errors.js';
import { realDataSkip, sharedDataDir } from '../helpers/data.js';

/** Every *.flac under `dir`, by file name. */
function flacFiles(dir: string, into = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) flacFiles(full, into);
    else if (entry.name.endsWith('.flac')) into.set(entry.name, full);
  }
  return into;
}

/** file -> duration_s from a corpus labels.csv (file names contain no commas or quotes). */
function labelDurations(csvPath: string): Map<string, number> {
  const [header, ...rows] = readFileSync(csvPath, 'utf8').trim().split(/\r?\n/);
  const columns = header.split(',');
  const fileCol = columns.indexOf('file');
  const durCol = columns.indexOf('duration_s');
  return new Map(rows.map((row) => row.split(',')).map((cells) => [cells[fileCol], Number(cells[durCol])]));
}

test(
  'every shared-corpus FLAC decodes at 16 kHz mono with the duration in labels.csv (±1 ms)',
  { skip: realDataSkip(), timeout: 600_000 },
  async () => {
    const root = sharedDataDir() as string;
    let checked = 0;
    let decodedSeconds = 0;
    const problems: string[] = [];
    const t0 = performance.now();
    for (const corpus of ['ravdess', 'tess', 'urdu']) {
      const files = flacFiles(join(root, corpus));
      const labels = labelDurations(join(root, corpus, 'labels.csv'));
      assert.equal(files.size, labels.size, `${corpus}: ${files.size} files vs ${labels.size} labels`);
      for (const [name, expected] of labels) {
        const path = files.get(name);
        if (!path) {
          problems.push(`${corpus}/${name}: listed in labels.csv but not found`);
          continue;
        }
        try {
          const info = await readAudioInfo(path);
          const audio = await loadAudio(path);
          const duration = audio.samples.length / audio.sampleRate;
          if (
            info.format !== 'flac' ||
            info.sampleRate !== 16000 ||
            info.channels !== 1 ||
            audio.sampleRate !== 16000
          ) {
            problems.push(`${path}: ${JSON.stringify(info)}`);
          } else if (audio.samples.length !== info.frames) {
            problems.push(`${path}: decoded ${audio.samples.length} samples, STREAMINFO says ${info.frames}`);
          } else if (Math.abs(duration - expected) > 0.001) {
            problems.push(`${path}: duration ${duration} s, labels.csv ${expected} s`);
          }
          decodedSeconds += duration;
        } catch (error) {
          problems.push(errorMessage(error));
        }
        checked++;
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `real-data audio: ${checked} files, ${(decodedSeconds / 3600).toFixed(2)} h of audio fully decoded in ${seconds.toFixed(1)} s (${(decodedSeconds / seconds).toFixed(0)} x real time)`,
    );
    assert.equal(checked, 4640);
    assert.deepEqual(problems.slice(0, 20), []);
  },
);

const hasFlacCli = spawnSync('flac', ['--version'], { stdio: 'ignore' }).status === 0;

test(
  'sampled corpus FLACs decode bit-exactly like the reference flac decoder (incl. files with a short last frame)',
  { skip: realDataSkip() || (!hasFlacCli && 'flac CLI not on PATH') },
  async () => {
    const root = sharedDataDir() as string;
    const all = ['ravdess', 'tess', 'urdu'].flatMap((c) => [...flacFiles(join(root, c)).values()]).sort();
    // Every 200th file, plus one whose 139-sample final frame the wasm package's own parser drops.
    const picked = all.filter((_, i) => i % 200 === 0);
    const shortLast = all.find((p) => p.endsWith('Actor_06/03-01-01-01-01-01-06.flac'));
    if (shortLast) picked.push(shortLast);
    const dir = mkdtempSync(join(tmpdir(), 'emovox-flac-'));
    try {
      for (const [i, path] of picked.entries()) {
        const wav = join(dir, `${i}.wav`);
        const run = spawnSync('flac', ['-d', '-s', '-f', '-o', wav, path]);
        assert.equal(run.status, 0, `flac -d ${path}`);
        const ours = await loadAudio(path);
        const reference = await loadAudio(wav);
        assert.equal(ours.samples.length, reference.samples.length, path);
        assert.deepEqual(ours.samples, reference.samples, path);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(picked.length >= 20);
  },
);
