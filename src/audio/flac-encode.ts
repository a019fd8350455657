import { writeFileAtomic } from '../util/atomic-file.js';
import { createRequire } from 'node:module';
import type LibFlacFactory from 'libflacjs';
import { EmovoxInputError } from '../util/errors.js';
import { MAX_SAMPLE_RATE } from './pcm.js';

type Flac = LibFlacFactory.Flac;

let library: Promise<Flac> | undefined;

/**
 * libFLAC's encoder (libflacjs, MIT; libFLAC itself BSD). The asm.js build is used because the
 * package's wasm builds fetch their .wasm by URL, which fails in Node 20; the asm.js build encodes
 * at ~150x real time (16 kHz mono), ample for saving files.
 */
function flacLibrary(): Promise<Flac> {
  if (!library) {
    library = new Promise<Flac>((resolve, reject) => {
      try {
        const factory = createRequire(import.meta.url)('libflacjs') as typeof LibFlacFactory;
        const flac = factory('min');
        if (flac.isReady()) resolve(flac);
        else flac.on('ready', () => resolve(flac));
      } catch (error) {
        library = undefined;
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }
  return library;
}

/** Options of {@link encodeFlac} / {@link saveFlac}. */
export interface FlacEncodeOptions {
  /** Bits per sample: 8, 16 or 24 (default 16). */
  bitDepth?: 8 | 16 | 24;
  /** libFLAC compression level 0 (fastest) .. 8 (smallest). Default 5 (the flac CLI's default). */
  compressionLevel?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;
}

/**
 * Encodes samples as a FLAC file in memory (lossless for values on the `bitDepth` integer grid:
 * quantised by round(x * 2^(bits-1)) and clipped, exactly like {@link encodeWav}). STREAMINFO
 * carries the total sample count, frame sizes and the MD5 of the audio, so `flac -t` verifies it.
 *
 * @param samples - mono Float32Array or one Float32Array per channel (1..8 channels, equal lengths).
 * @param sampleRate - in Hz (integer, 1..655350).
 */
export async function encodeFlac(
  samples: Float32Array | Float32Array[],
  sampleRate: number,
  options: FlacEncodeOptions = {},
  name = '<flac>',
): Promise<Uint8Array> {
  const bits = options.bitDepth ?? 16;
  const level = options.compressionLevel ?? 5;
  const channels = samples instanceof Float32Array ? [samples] : samples;
  if (![8, 16, 24].includes(bits))
    throw new EmovoxInputError(name, `FLAC bitDepth must be 8, 16 or 24, got ${bits}`);
  if (channels.length < 1 || channels.length > 8) {
    throw new EmovoxInputError(name, `FLAC needs 1 to 8 channels, got ${channels.length}`);
  }
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > Math.min(655350, MAX_SAMPLE_RATE)) {
    throw new EmovoxInputError(name, `cannot write sample rate ${sampleRate} Hz to FLAC`);
  }
  const frames = channels[0].length;
  if (channels.some((c) => c.length !== frames))
    throw new EmovoxInputError(name, 'channels differ in length');
  const full = 2 ** (bits - 1);
  const interleaved = new Int32Array(frames * channels.length);
  for (let i = 0, p = 0; i < frames; i++) {
    for (let c = 0; c < channels.length; c++, p++) {
      const x = channels[c][i];
      if (!Number.isFinite(x)) throw new EmovoxInputError(name, `sample ${i} of channel ${c} is ${x}`);
      interleaved[p] = Math.min(full - 1, Math.max(-full, Math.round(x * full)));
    }
  }
  const flac = await flacLibrary();
  const encoder = flac.create_libflac_encoder(sampleRate, channels.length, bits, level, frames, false, 0);
  if (!encoder) throw new EmovoxInputError(name, 'libFLAC could not create an encoder');
  const chunks: Uint8Array[] = [];
  let info: LibFlacFactory.StreamMetadata | undefined;
  try {
    const status = flac.init_encoder_stream(
      encoder,
      (data, bytes) => {
        chunks.push(data.slice(0, bytes));
      },
      (metadata) => {
        info = metadata;
      },
    );
    if (status !== 0) throw new EmovoxInputError(name, `libFLAC encoder init failed (status ${status})`);
    // Feed in blocks so the encoder's input copy stays small.
    const block = 65536;
    for (let start = 0; start < frames; start += block) {
      const count = Math.min(block, frames - start);
      const part = interleaved.subarray(start * channels.length, (start + count) * channels.length);
      if (!flac.FLAC__stream_encoder_process_interleaved(encoder, part, count)) {
        throw new EmovoxInputError(name, 'libFLAC encoding failed');
      }
    }
    if (!flac.FLAC__stream_encoder_finish(encoder))
      throw new EmovoxInputError(name, 'libFLAC could not finish the stream');
  } finally {
    flac.FLAC__stream_encoder_delete(encoder);
  }
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  // A write-only stream cannot seek back, so patch STREAMINFO's frame sizes and MD5 here.
  if (info && out.length >= 42 && out[0] === 0x66 && (out[4] & 0x7f) === 0) {
    const s = 8;
    const put24 = (offset: number, v: number) =>
      out.set([(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff], offset);
    put24(s + 4, info.min_framesize);
    put24(s + 7, info.max_framesize);
    if (/^[0-9a-f]{32}$/i.test(info.md5sum)) {
      for (let i = 0; i < 16; i++) out[s + 18 + i] = parseInt(info.md5sum.slice(2 * i, 2 * i + 2), 16);
    }
  }
  return out;
}

/**
 * Writes samples to `path` as FLAC (see {@link encodeFlac}). Async because libFLAC loads
 * asynchronously; {@link saveAudio} stays synchronous for WAV. The write is atomic (temporary
 * file + rename): a failure leaves any previous file at `path` intact.
 */
export async function saveFlac(
  path: string,
  samples: Float32Array | Float32Array[],
  sampleRate: number,
  options: FlacEncodeOptions = {},
): Promise<void> {
  await writeFileAtomic(path, await encodeFlac(samples, sampleRate, options, path));
}
