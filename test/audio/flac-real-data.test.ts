// Every FLAC of the shared corpora (RAVDESS 1440, TESS 2800, URDU 400) decoded by emovox's own
// frame decoder equals the reference decoder's output (`flac -d`, libFLAC 1.4) sample for
// sample, with the length STREAMINFO declares. 17 of these files end in a short final frame
// that @wasm-audio-decoders/flac's own parser dropped (e.g. RAVDESS
// Actor_06/03-01-01-01-01-01-06.flac, 139 samples); they are part of the set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { decodeFlac, parseFlacStreamInfo } from '../../src/audio/flac.js';
import { memoryByteSource } from '../../src/audio/bytes.js';
import { realDataSkip, sharedDataDir } from '../helpers/data.js';

const hasFlacCli = spawnSync('flac', ['--version'], { stdio: 'ignore' }).status === 0;

function flacFiles(dir: string, into: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) flacFiles(full, into);
    else if (entry.name.endsWith('.flac')) into.push(full);
  }
  return into;
}

test(
  'every shared-corpus FLAC decodes bit-exactly like flac -d, with STREAMINFO length',
  { skip: realDataSkip() || (!hasFlacCli && 'flac CLI not on PATH'), timeout: 900_000 },
  async () => {
    const root = sharedDataDir() as string;
    const files = ['ravdess', 'tess', 'urdu'].flatMap((c) => flacFiles(join(root, c))).sort();
    // one flac -d process per folder (names are unique within a folder)
    const byFolder = new Map<string, string[]>();
    for (const f of files) byFolder.set(dirname(f), [...(byFolder.get(dirname(f)) ?? []), f]);
    const problems: string[] = [];
    let checked = 0;
    let seconds = 0;
    let decodeCpu = 0;
    const dir = mkdtempSync(join(tmpdir(), 'emovox-flac-corpus-'));
    try {
      for (const [folder, group] of byFolder) {
        const batch = join(dir, String(checked));
        mkdirSync(batch);
        const out = join(batch, 'x-');
        const run = spawnSync(
          'flac',
          [
            '-d',
            '-s',
            '-f',
            '--force-raw-format',
            '--endian=little',
            '--sign=signed',
            `--output-prefix=${out}`,
            ...group,
          ],
          { encoding: 'utf8', maxBuffer: 1 << 26 },
        );
        assert.equal(run.status, 0, `flac -d in ${folder}: ${run.stderr}`);
        for (const path of group) {
          const bytes = new Uint8Array(readFileSync(path));
          const info = parseFlacStreamInfo(memoryByteSource(bytes, path));
          const t0 = process.cpuUsage();
          const ours = await decodeFlac(bytes, path);
          const used = process.cpuUsage(t0);
          decodeCpu += (used.user + used.system) / 1e6;
          const raw = readFileSync(`${out}${basename(path, '.flac')}.raw`);
          const ref = new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2);
          const ch = ours.channels[0];
          checked++;
          if (ours.channels.length !== 1 || ch.length !== ref.length || ch.length !== info.totalFrames) {
            problems.push(
              `${path}: ${ch.length} samples, flac -d ${ref.length}, STREAMINFO ${info.totalFrames}`,
            );
            continue;
          }
          for (let i = 0; i < ref.length; i++) {
            if (ch[i] * 32768 !== ref[i]) {
              problems.push(`${path}: sample ${i} is ${ch[i] * 32768}, flac -d ${ref[i]}`);
              break;
            }
          }
          seconds += ch.length / ours.sampleRate;
        }
        rmSync(batch, { recursive: true, force: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    console.log(
      `flac corpus: ${checked} files, ${(seconds / 3600).toFixed(2)} h, decoded at ${(seconds / decodeCpu).toFixed(0)} x real time (CPU, in-memory bytes)`,
    );
    assert.deepEqual(problems.slice(0, 10), []);
    assert.equal(checked, 4640);
  },
);
