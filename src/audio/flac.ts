import type { FLACDecoder } from '@wasm-audio-decoders/flac';
import { EmovoxInputError } from '../util/errors.js';
import { fourCC, type ByteSource } from './byte-source.js';
import { MAX_SAMPLE_RATE } from './pcm.js';
import { FLAC_KERNEL_WASM_BASE64 } from './wasm/flac-kernel.wasm.js';
import { compileKernel, growMemory } from '../dsp/wasm-kernel.js';

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

/** Decoded FLAC: one Float32Array per channel plus the stream parameters. */
export interface FlacDecoded {
  channels: Float32Array[];
  sampleRate: number;
  bitDepth: number;
}

/**
 * Decodes a whole FLAC file (`bytes` start at 'fLaC'). Streams of 4 to 24 bits per sample are
 * decoded by emovox's own frame decoder (WebAssembly, src/audio/wasm/flac-kernel.as.ts), which
 * checks every header's CRC-8 and every frame's CRC-16 and stops at the first bad frame with an
 * error naming its index and byte offset: a corrupt frame is never skipped, so the output is
 * exactly the stream's samples. 25- to 32-bit streams (and engines without WebAssembly SIMD, or
 * EMOVOX_FLAC=js) go through libFLAC compiled to wasm (@wasm-audio-decoders/flac) behind the
 * same CRC-checking frame splitter. Samples are scaled by 1/2^(b-1) (libsndfile / soundfile /
 * librosa convention): 16-bit -32768 -> -1.0, and a FLAC equals its WAV exactly.
 *
 * @throws EmovoxInputError for truncated or corrupt streams.
 */
export async function decodeFlac(bytes: Uint8Array, name: string): Promise<FlacDecoded> {
  const info = streamInfoOf(bytes, name);
  if (info.bitDepth <= 24) {
    const decoded = decodeFlacFrames(bytes, info, name);
    if (decoded !== null) return decoded;
  }
  return decodeFlacLibrary(bytes, name);
}

function streamInfoOf(bytes: Uint8Array, name: string): FlacStreamInfo {
  return parseFlacStreamInfo(
    {
      name,
      size: bytes.length,
      read: (offset, length) => bytes.subarray(offset, offset + length),
      readAll: () => bytes,
      close() {},
    },
    0,
  );
}

/** The frame decoder's exports (see flac-kernel.as.ts). */
interface FlacKernel {
  memory: WebAssembly.Memory;
  inputBase(): number;
  init(): void;
  decodeFrame(
    at: number,
    end: number,
    streamBps: number,
    streamChannels: number,
    out: number,
    stride: number,
    offset: number,
  ): number;
}

// Frame info written by decodeFrame (byte address of its i32 fields).
const INFO = 768;
const INFO_FRAME_END = 0;
/** Bytes of zeros after the input (the bit reader may read up to ~200 bytes past the end). */
const PAD = 256;
/** Kernel memory kept between files; a file needing more gets an instance of its own. */
const SHARED_LIMIT = 64 << 20;

let flacModule: WebAssembly.Module | null | undefined;
let sharedKernel: FlacKernel | null = null;

function compiled(): WebAssembly.Module | null {
  if (flacModule === undefined) flacModule = compileKernel(FLAC_KERNEL_WASM_BASE64, ['EMOVOX_FLAC']);
  return flacModule;
}

function newKernel(): FlacKernel | null {
  const module = compiled();
  if (module === null) return null;
  const ex = new WebAssembly.Instance(module, {}).exports as unknown as FlacKernel;
  if (!growMemory(ex.memory, ex.inputBase())) return null;
  ex.init();
  return ex;
}

/** True when emovox's WebAssembly FLAC decoder is in use (false with EMOVOX_FLAC=js or no SIMD). */
export function flacKernelAvailable(): boolean {
  return compiled() !== null;
}

const KERNEL_ERRORS: Record<number, string> = {
  [-2]: 'the frame runs past the end of the file',
  [-3]: 'reserved or invalid subframe type',
  [-4]: 'invalid residual coding (reserved method or a partition order that does not fit the block)',
  [-5]: 'invalid LPC precision or negative shift',
  [-6]: 'CRC-16 mismatch',
  [-10]: 'subframe padding bit set',
  [-11]: "decoded samples exceed the stream's bit depth",
};

/**
 * The frame decoder over a whole stream, or null when it is unavailable. Output per channel
 * is sized from STREAMINFO's total (grown when that is 0 or too small).
 */
function decodeFlacFrames(bytes: Uint8Array, info: FlacStreamInfo, name: string): FlacDecoded | null {
  const first = firstFrameOffset(bytes, name);
  if (first >= bytes.length) throw new EmovoxInputError(name, 'FLAC stream has no decodable audio frames');
  const length = bytes.length - first;
  const channels = info.channels;
  // Room for STREAMINFO's total, but never more than the bytes can plausibly hold (16 samples
  // per byte; a header's claim alone must not allocate): near-silent streams grow as they decode.
  let stride = Math.max(Math.min(info.totalFrames, 16 * bytes.length), 65536);
  const inputBytes = length + PAD;
  const base = 16 * Math.ceil(inputBytes / 16);
  const need = (s: number): number => base + 4 * channels * s;
  sharedKernel ??= newKernel();
  if (sharedKernel === null) return null;
  const inputBase = sharedKernel.inputBase();
  // A long file gets a kernel of its own, so its memory goes with it.
  const ex = inputBase + need(stride) <= SHARED_LIMIT ? sharedKernel : newKernel();
  if (ex === null) return null;
  const tooLong = (): EmovoxInputError =>
    new EmovoxInputError(name, `FLAC stream too long to decode in memory (${bytes.length} bytes)`);
  if (!growMemory(ex.memory, inputBase + need(stride))) throw tooLong();
  const input = inputBase;
  const end = input + length;
  const mem = new Uint8Array(ex.memory.buffer);
  mem.set(bytes.subarray(first), input);
  mem.fill(0, end, end + PAD);
  const out = input + base;
  let at = input;
  let decoded = 0;
  let frame = 0;
  const info32 = (): Uint32Array => new Uint32Array(ex.memory.buffer, INFO, 8);
  while (at < end) {
    const n = ex.decodeFrame(at, end, info.bitDepth, channels, out, stride, decoded);
    if (n === -9) {
      // more samples than STREAMINFO said: move the channels apart
      const grown = Math.max(2 * stride, decoded + 65536);
      if (!growMemory(ex.memory, inputBase + need(grown))) throw tooLong();
      const f = new Float32Array(ex.memory.buffer, out, channels * grown);
      for (let c = channels - 1; c > 0; c--) f.copyWithin(c * grown, c * stride, c * stride + decoded);
      stride = grown;
      continue;
    }
    if (n < 0) throw frameError(bytes, name, n, frame, first + at - input, info32());
    decoded += n;
    at = info32()[INFO_FRAME_END];
    frame++;
  }
  // new + set: several times faster than slice() on a view of wasm memory (Node 20)
  const result = Array.from({ length: channels }, (_, c) => {
    const ch = new Float32Array(decoded);
    ch.set(new Float32Array(ex.memory.buffer, out + 4 * c * stride, decoded));
    return ch;
  });
  // a shared kernel that had to grow past the limit is dropped, and its memory with it
  if (ex === sharedKernel && ex.memory.buffer.byteLength > SHARED_LIMIT) sharedKernel = null;
  return { channels: result, sampleRate: info.sampleRate, bitDepth: info.bitDepth };
}

/**
 * The error for a frame the decoder rejected, worded as the CRC scan sees it: a frame whose
 * CRC-16 never matches (truncated, or damaged bytes) "fails its CRC"; a frame with a valid CRC
 * that still does not decode is named with the decoder's reason.
 */
function frameError(
  bytes: Uint8Array,
  name: string,
  code: number,
  frame: number,
  at: number,
  fields: Uint32Array,
): EmovoxInputError {
  if (code === -1) return new EmovoxInputError(name, `corrupt FLAC: no frame header at byte ${at}`);
  if (code === -7 || code === -8) {
    return new EmovoxInputError(
      name,
      `corrupt FLAC: frame ${frame} at byte ${at} has ${code === -7 ? 'a channel count' : 'a bit depth'} that differs from STREAMINFO`,
    );
  }
  if (frameCrcEnd(bytes, at) < 0) {
    return new EmovoxInputError(
      name,
      `corrupt or truncated FLAC: frame ${frame} at byte ${at} fails its CRC`,
    );
  }
  const subframe = fields[7] | 0; // -1: not in a subframe
  const where = subframe >= 0 ? ` (subframe ${subframe})` : '';
  const why = KERNEL_ERRORS[code] ?? `decoder error ${code}`;
  return new EmovoxInputError(name, `corrupt FLAC: frame ${frame} at byte ${at}: ${why}${where}`);
}

/**
 * End of the frame at `start` found by its CRC-16 (the first point where the CRC of everything
 * so far is zero and a valid header or the end of the stream follows), or -1.
 */
function frameCrcEnd(b: Uint8Array, start: number): number {
  const headerLength = flacFrameHeaderLength(b, start);
  if (headerLength === 0) return -1;
  let crc = 0;
  for (let q = start; q < b.length; q++) {
    crc = ((crc << 8) & 0xffff) ^ CRC16[(crc >> 8) ^ b[q]];
    if (crc === 0 && q + 1 >= start + headerLength + 2) {
      if (q + 1 === b.length || flacFrameHeaderLength(b, q + 1)) return q + 1;
    }
  }
  return -1;
}

// libFLAC decoders are costly to instantiate (~ms) and keep state; reuse idle ones.
const idle: FLACDecoder[] = [];

/**
 * 25- to 32-bit streams (and the fallback): frames split and CRC-checked here
 * ({@link splitFlacFrames}) and decoded by libFLAC compiled to wasm (@wasm-audio-decoders/flac
 * `decodeFrames`; its own `decodeFile` parser drops a short final frame in some files). The
 * decoder scales integers by 1/(2^(b-1)-1); samples are rescaled to 1/2^(b-1).
 */
export async function decodeFlacLibrary(bytes: Uint8Array, name: string): Promise<FlacDecoded> {
  const frames = splitFlacFrames(bytes, name);
  if (frames.length === 0) throw new EmovoxInputError(name, 'FLAC stream has no decodable audio frames');
  // imported on first use: most streams never need it, and it costs ~50 ms to load
  const decoder = idle.pop() ?? new (await import('@wasm-audio-decoders/flac')).FLACDecoder();
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
