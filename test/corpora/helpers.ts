import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Minimal 16-bit PCM mono WAV: a 440 Hz tone, `seconds` long at `sampleRate`, so fixtures are
 * real, decodable audio with a known duration.
 */
export function wavBytes(seconds = 0.05, sampleRate = 16000): Buffer {
  const frames = Math.round(seconds * sampleRate);
  const buffer = Buffer.alloc(44 + frames * 2);
  buffer.write('RIFF', 0, 'ascii');
  buffer.writeUInt32LE(36 + frames * 2, 4);
  buffer.write('WAVE', 8, 'ascii');
  buffer.write('fmt ', 12, 'ascii');
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(sampleRate, 24);
  buffer.writeUInt32LE(sampleRate * 2, 28);
  buffer.writeUInt16LE(2, 32);
  buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36, 'ascii');
  buffer.writeUInt32LE(frames * 2, 40);
  for (let i = 0; i < frames; i++) {
    buffer.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate)), 44 + i * 2);
  }
  return buffer;
}

/** Fresh temporary directory; remove it with `removeDir`. */
export function makeTempDir(prefix = 'emovox-corpora-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Writes a fixture tree: audio paths (by extension) get a tiny WAV (or empty bytes for `.mp4`,
 * which loaders never decode), other paths get the given text.
 *
 * @param root directory to fill
 * @param audio relative paths of audio files
 * @param texts relative path -> file content (string or raw bytes)
 */
export function writeTree(root: string, audio: string[], texts: Record<string, string | Buffer> = {}): void {
  const wav = wavBytes();
  for (const rel of audio) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, rel.endsWith('.mp4') ? Buffer.alloc(0) : wav);
  }
  for (const [rel, content] of Object.entries(texts)) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}
