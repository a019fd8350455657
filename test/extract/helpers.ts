// Synthetic audio files for the extraction tests (no corpus needed).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

/** Writes mono 16-bit PCM WAV. */
export function writeWav(path: string, samples: Float32Array, sampleRate: number): void {
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32767))), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([header, data]));
}

/** A voiced-speech-like tone: harmonics of `f0` with a slow amplitude envelope, `seconds` long. */
export function tone(f0: number, seconds: number, sampleRate: number): Float32Array {
  const n = Math.round(seconds * sampleRate);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    let s = 0;
    for (let h = 1; h <= 8; h++) s += Math.sin(2 * Math.PI * h * f0 * t) / h;
    y[i] = 0.25 * s * (0.6 + 0.4 * Math.sin(2 * Math.PI * 2 * t));
  }
  return y;
}

/** The paths {@link writeBatch} writes: the good files, the corrupt one, and all in sorted order. */
export interface BatchFiles {
  readonly good: string[];
  readonly bad: string;
  readonly all: string[];
}

/**
 * {@link writeBatch}'s files in a temporary folder, made before the calling test file's tests and
 * removed after them (node:test `before` / `after`); read `dir` and `files` inside the tests.
 * @param prefix - start of the folder's name in the system's temporary folder.
 */
export function batchFixture(prefix: string): { readonly dir: string; readonly files: BatchFiles } {
  let dir = '';
  let files: BatchFiles | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    files = writeBatch(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    get dir() {
      return dir;
    },
    get files() {
      return files!;
    },
  };
}

/**
 * Fills `dir` with four good WAV files (a.wav..d.wav at different pitches and rates, lengths 0.6-1.2 s)
 * and one corrupt file (`bad.wav`: a RIFF header with garbage), returning the paths in sorted order.
 */
export function writeBatch(dir: string): BatchFiles {
  const specs: [string, number, number, number][] = [
    ['a.wav', 120, 0.6, 16000],
    ['b.wav', 180, 1.0, 22050],
    ['c.wav', 220, 1.2, 16000],
    ['d.wav', 300, 0.8, 44100],
  ];
  const good = specs.map(([name, f0, seconds, rate]) => {
    const path = join(dir, name);
    writeWav(path, tone(f0, seconds, rate), rate);
    return path;
  });
  const bad = join(dir, 'bad.wav');
  writeFileSync(
    bad,
    Buffer.concat([Buffer.from('RIFF\x10\x00\x00\x00WAVEjunk', 'latin1'), Buffer.alloc(7, 0xab)]),
  );
  return { good, bad, all: [...good.slice(0, 2), bad, ...good.slice(2)] };
}
