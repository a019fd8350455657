import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { EmovoxInputError } from '../util/errors.js';
import { fourCC, type ByteSource } from './byte-source.js';
import { MAX_SAMPLE_RATE } from './pcm.js';

/** FLAC STREAMINFO fields. `totalFrames` is 0 when the encoder did not know the length. */
export interface FlacStreamInfo {
  sampleRate: number;
  channels: number;
  bitDepth: number;
  totalFrames: number;
}

/** Reads FLAC's STREAMINFO block (the first metadata block; 42 bytes from `start`). */
export function parseFlacStreamInfo(src: ByteSource, start = 0): FlacStreamInfo {
  const b = src.read(start, 42);
  if (b.length < 42) throw new EmovoxInputError(src.name, 'truncated FLAC: STREAMINFO cut off');
  if (fourCC(b, 0) !== 'fLaC' || (b[4] & 0x7f) !== 0) {
    throw new EmovoxInputError(src.name, 'corrupt FLAC: first metadata block is not STREAMINFO');
  }
  const s = 8;
  const sampleRate = (b[s + 10] << 12) | (b[s + 11] << 4) | (b[s + 12] >> 4);
  const channels = ((b[s + 12] >> 1) & 7) + 1;
  const bitDepth = (((b[s + 12] & 1) << 4) | (b[s + 13] >> 4)) + 1;
  const totalFrames =
    (b[s + 13] & 0x0f) * 2 ** 32 + new DataView(b.buffer, b.byteOffset + s + 14, 4).getUint32(0);
  if (sampleRate === 0 || sampleRate > MAX_SAMPLE_RATE) {
    throw new EmovoxInputError(src.name, `invalid sample rate ${sampleRate} Hz in FLAC STREAMINFO`);
  }
  return { sampleRate, channels, bitDepth, totalFrames };
}

const CRC8 = new Uint8Array(256);
const CRC16 = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c8 = i;
  let c16 = i << 8;
  for (let b = 0; b < 8; b++) {
    c8 = c8 & 0x80 ? ((c8 << 1) ^ 0x07) & 0xff : (c8 << 1) & 0xff;
    c16 = c16 & 0x8000 ? ((c16 << 1) ^ 0x8005) & 0xffff : (c16 << 1) & 0xffff;
  }
  CRC8[i] = c8;
  CRC16[i] = c16;
}

/** Length of a valid FLAC frame header at `at` (CRC-8 checked), or 0 when there is none. */
export function flacFrameHeaderLength(b: Uint8Array, at: number): number {
  if (at + 6 > b.length || b[at] !== 0xff || (b[at + 1] & 0xfe) !== 0xf8) return 0;
  const blockCode = b[at + 2] >> 4;
  const rateCode = b[at + 2] & 0x0f;
  const channelCode = b[at + 3] >> 4;
  const bitsCode = (b[at + 3] >> 1) & 7;
  if (blockCode === 0 || rateCode === 15 || channelCode > 10 || bitsCode === 3 || b[at + 3] & 1) return 0;
  let p = at + 4;
  // UTF-8-like coded frame / sample number: 1 to 7 bytes
  const lead = b[p];
  let extra = 0;
  if (lead < 0x80) extra = 0;
  else if ((lead & 0xe0) === 0xc0) extra = 1;
  else if ((lead & 0xf0) === 0xe0) extra = 2;
  else if ((lead & 0xf8) === 0xf0) extra = 3;
  else if ((lead & 0xfc) === 0xf8) extra = 4;
  else if ((lead & 0xfe) === 0xfc) extra = 5;
  else if (lead === 0xfe) extra = 6;
  else return 0;
  p += 1 + extra;
  if (blockCode === 6) p += 1;
  else if (blockCode === 7) p += 2;
  if (rateCode === 12) p += 1;
  else if (rateCode === 13 || rateCode === 14) p += 2;
  if (p >= b.length) return 0;
  let crc = 0;
  for (let i = at; i < p; i++) crc = CRC8[crc ^ b[i]];
  return crc === b[p] ? p + 1 - at : 0;
}

/** Offset of the first audio frame: after 'fLaC' and every metadata block. */
function firstFrameOffset(b: Uint8Array, name: string): number {
  let p = 4;
  for (;;) {
    if (p + 4 > b.length) throw new EmovoxInputError(name, 'truncated FLAC: metadata cut off');
    const last = b[p] & 0x80;
    const length = (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
    p += 4 + length;
    if (p > b.length) throw new EmovoxInputError(name, 'truncated FLAC: metadata cut off');
    if (last) return p;
    if ((b[p - 4 - length] & 0x7f) === 127)
      throw new EmovoxInputError(name, 'corrupt FLAC: invalid metadata block type');
  }
}

/**
 * Splits a FLAC stream into its frames, each proven by its header CRC-8 and its whole-frame
 * CRC-16 (one pass over the bytes). A frame whose CRC fails is an error naming its byte offset,
 * never a silently dropped block of samples.
 */
export function splitFlacFrames(b: Uint8Array, name: string): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let start = firstFrameOffset(b, name);
  if (start >= b.length) return frames;
  if (!flacFrameHeaderLength(b, start))
    throw new EmovoxInputError(name, `corrupt FLAC: no frame header at byte ${start}`);
  while (start < b.length) {
    const headerLength = flacFrameHeaderLength(b, start);
    let crc = 0;
    let end = -1;
    for (let q = start; q < b.length; q++) {
      // A frame ends where the CRC-16 of everything so far (footer included) is zero and the
      // next valid header (or the end of the stream) follows.
      crc = ((crc << 8) & 0xffff) ^ CRC16[(crc >> 8) ^ b[q]];
      if (crc === 0 && q + 1 >= start + headerLength + 2) {
        if (q + 1 === b.length || flacFrameHeaderLength(b, q + 1)) {
          end = q + 1;
          break;
        }
      }
    }
    if (end < 0) {
      throw new EmovoxInputError(
        name,
        `corrupt or truncated FLAC: frame ${frames.length} at byte ${start} fails its CRC`,
      );
    }
    frames.push(b.subarray(start, end));
    start = end;
  }
  return frames;
}

// wasm decoders are costly to instantiate (~ms) and keep state; reuse idle ones.
const idle: FLACDecoder[] = [];

/** Decoded FLAC: one Float32Array per channel plus the stream parameters. */
export interface FlacDecoded {
  channels: Float32Array[];
  sampleRate: number;
  bitDepth: number;
}

/**
 * Decodes a whole FLAC file: frames are split and CRC-checked here ({@link splitFlacFrames}) and
 * decoded by libFLAC compiled to wasm (@wasm-audio-decoders/flac `decodeFrames`). (Its own
 * `decodeFile` parser drops a short final frame in some files, ~0.4 % of the shared corpora.)
 * The decoder scales integers by 1/(2^(b-1)-1); samples are rescaled to 1/2^(b-1) (libsndfile /
 * soundfile / librosa convention) so that 16-bit -32768 -> -1.0 and a FLAC equals its WAV exactly.
 */
export async function decodeFlac(bytes: Uint8Array, name: string): Promise<FlacDecoded> {
  const frames = splitFlacFrames(bytes, name);
  if (frames.length === 0) throw new EmovoxInputError(name, 'FLAC stream has no decodable audio frames');
  const decoder = idle.pop() ?? new FLACDecoder();
  let decoded;
  try {
    await decoder.ready;
    decoded = await decoder.decodeFrames(frames);
    await decoder.reset();
    idle.push(decoder);
  } catch (error) {
    decoder.free();
    throw new EmovoxInputError(name, `FLAC decoding failed: ${(error as Error).message}`, { cause: error });
  }
  if (decoded.errors.length > 0) {
    const first = decoded.errors[0];
    throw new EmovoxInputError(
      name,
      `corrupt FLAC: ${decoded.errors.length} decode error(s), first: ${first.message} at frame ${first.frameNumber}`,
    );
  }
  if (decoded.samplesDecoded === 0 || decoded.channelData.length === 0) {
    throw new EmovoxInputError(name, 'FLAC stream has no decodable audio frames');
  }
  const bits = decoded.bitDepth;
  if (bits >= 2 && bits <= 24) {
    const up = 2 ** (bits - 1) - 1;
    const down = 1 / 2 ** (bits - 1);
    for (const ch of decoded.channelData) {
      for (let i = 0; i < ch.length; i++) ch[i] = Math.round(ch[i] * up) * down;
    }
  }
  return {
    channels: decoded.channelData.map((ch) => ch.subarray(0, decoded.samplesDecoded)),
    sampleRate: decoded.sampleRate,
    bitDepth: bits,
  };
}
