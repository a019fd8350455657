import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { loadAudio, readAudioInfo } from '../../src/audio/index.js';
import { EmovoxInputError } from '../../src/util/errors.js';
import { repoRoot } from '../helpers/data.js';
import { randomInts } from './helpers.js';

const fixtures = join(repoRoot, 'test', 'fixtures', 'audio');
const FILES = [
  'sine440_s16.wav',
  'sine440_s16be.aiff',
  'sine440_fl32.aifc',
  'sine440_rf64.wav',
  'three_ch_s24_extensible.wav',
  'sine440_s16.flac',
  'stereo_s16.flac',
  'sine440.mp3',
  'stereo.ogg',
  'sine440.opus',
];

/** A mutated copy: bytes overwritten, the file cut, or a header field set to an extreme. */
function mutate(bytes: Uint8Array, seed: number): Uint8Array {
  const [kind, a, b, c] = randomInts(4, 0, 1 << 30, seed);
  const out = Uint8Array.from(bytes);
  switch (kind % 4) {
    case 0: // random bytes in the first 64 (headers)
      for (let i = 0; i < 1 + (b % 6); i++) out[(a + i * 7) % Math.min(64, out.length)] = (c >> i) & 0xff;
      return out;
    case 1: // truncate anywhere
      return out.subarray(0, a % out.length);
    case 2: // an extreme 32-bit value somewhere in the first 128 bytes
      new DataView(out.buffer).setUint32(
        a % Math.min(124, out.length - 4),
        [0, 0xffffffff, 0x7fffffff, 1][b % 4],
        c % 2 === 0,
      );
      return out;
    default: // random bytes anywhere
      for (let i = 0; i < 1 + (b % 20); i++) out[(a + i * 131) % out.length] ^= 1 + ((c >> i) & 0x7f);
      return out;
  }
}

test('mutated files (headers, truncation, extreme sizes, flipped bytes) give results or EmovoxInputError, never other errors', async () => {
  const saved = process.env.EMOVOX_FFMPEG;
  process.env.EMOVOX_FFMPEG = 'none'; // keep the test fast and about emovox's own parsers
  const outcomes = { ok: 0, inputError: 0 };
  try {
    for (const file of FILES) {
      const original = readFileSync(join(fixtures, file));
      for (let seed = 1; seed <= 40; seed++) {
        const bytes = mutate(original, seed * 7919 + file.length);
        for (const run of [() => readAudioInfo(bytes), () => loadAudio(bytes, { mono: false })]) {
          try {
            const result = await run();
            if ('samples' in result) {
              for (const ch of result.samples)
                assert.ok(ch.every(Number.isFinite), `${file} seed ${seed}: non-finite sample`);
            } else {
              assert.ok(
                result.frames >= 0 &&
                  result.sampleRate > 0 &&
                  result.sampleRate <= 1e6 &&
                  result.channels >= 1,
              );
            }
            outcomes.ok++;
          } catch (error) {
            if (!(error instanceof EmovoxInputError)) {
              assert.fail(
                `${file} mutation seed ${seed}: ${error instanceof Error ? error.stack : String(error)}`,
              );
            }
            outcomes.inputError++;
          }
        }
      }
    }
  } finally {
    if (saved === undefined) delete process.env.EMOVOX_FFMPEG;
    else process.env.EMOVOX_FFMPEG = saved;
  }
  console.log(`mutations: ${outcomes.ok} decoded, ${outcomes.inputError} EmovoxInputError`);
  assert.ok(outcomes.ok > 0 && outcomes.inputError > 0);
});

test('concurrent loads (files, buffers and streams mixed) give the same samples as sequential ones', async () => {
  const files = [
    'sine440_s16.flac',
    'stereo_s16.flac',
    'sine440.mp3',
    'stereo.ogg',
    'sine440_s16.wav',
    'sine440.opus',
  ];
  const sequential = [];
  for (const f of files) sequential.push((await loadAudio(join(fixtures, f))).samples);
  const concurrent = await Promise.all(
    files.flatMap((f, i) => [
      loadAudio(join(fixtures, f)).then((r) => [i, r.samples] as const),
      loadAudio(readFileSync(join(fixtures, f))).then((r) => [i, r.samples] as const),
      loadAudio(Readable.from([readFileSync(join(fixtures, f))])).then((r) => [i, r.samples] as const),
    ]),
  );
  for (const [i, samples] of concurrent) assert.deepEqual(samples, sequential[i], files[i]);
});
