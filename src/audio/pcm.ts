import { EmovoxInputError } from '../util/errors.js';
import type { ByteSource } from './byte-source.js';

/** How uncompressed samples are stored. */
export type SampleEncoding = 'int' | 'uint8' | 'float' | 'ulaw' | 'alaw';

/** Where and how the uncompressed samples of a WAV/AIFF file are laid out. */
export interface PcmLayout {
  format: 'wav' | 'rf64' | 'aiff' | 'aifc';
  /** ffmpeg-style codec name, e.g. `pcm_s16le`, `pcm_f32be`, `pcm_mulaw`. */
  codec: string;
  sampleRate: number;
  channels: number;
  /** Significant bits per sample (valid bits for WAVE_FORMAT_EXTENSIBLE). */
  bitDepth: number;
  encoding: SampleEncoding;
  /** Bytes each sample occupies in the file. */
  bytesPerSample: number;
  littleEndian: boolean;
  /** Byte offset of the first frame. */
  dataOffset: number;
  /** Whole frames actually present (never more than the bytes allow). */
  frames: number;
  /** Non-fatal problems found while parsing (e.g. a size field that overstates the file). */
  warnings: string[];
}

/** Upper bound on a believable sample rate; anything above is treated as a corrupt header. */
export const MAX_SAMPLE_RATE = 1_000_000;

/**
 * Upper bound on a believable channel count (the largest microphone arrays and ambisonic
 * orders in use stay well below); a header claiming more is treated as corrupt.
 */
export const MAX_CHANNELS = 1024;

/** Checks a stream's sample rate and channel count, throwing an EmovoxInputError naming `name`. */
export function validateStream(name: string, sampleRate: number, channels: number): void {
  if (!Number.isFinite(sampleRate) || sampleRate <= 0) {
    throw new EmovoxInputError(name, `invalid sample rate ${sampleRate} Hz in header`);
  }
  if (sampleRate > MAX_SAMPLE_RATE) {
    throw new EmovoxInputError(
      name,
      `absurd sample rate ${sampleRate} Hz in header (limit ${MAX_SAMPLE_RATE} Hz)`,
    );
  }
  if (!Number.isInteger(channels) || channels < 1) {
    throw new EmovoxInputError(name, `invalid channel count ${channels} in header`);
  }
  if (channels > MAX_CHANNELS) {
    throw new EmovoxInputError(
      name,
      `implausible channel count ${channels} in header (limit ${MAX_CHANNELS}; corrupt header?)`,
    );
  }
}

/** Checks the fields every PCM layout needs (see {@link validateStream}). */
export function validateLayout(name: string, layout: PcmLayout): void {
  validateStream(name, layout.sampleRate, layout.channels);
}

/**
 * Appends the "declared size exceeds the file" warning, or throws it when `strict`.
 * A truncated or still-being-written file says more bytes than it has; by default emovox reads
 * the whole frames that are present and reports the shortfall.
 */
export function sizeShortfall(
  name: string,
  what: string,
  declared: number,
  actual: number,
  warnings: string[],
  strict: boolean,
): void {
  const message = `${what} declares ${declared} bytes but only ${actual} are present (truncated file or lying header)`;
  if (strict) throw new EmovoxInputError(name, message);
  warnings.push(`${message}; read the ${actual} bytes present`);
}

const ULAW = new Float32Array(256);
const ALAW = new Float32Array(256);
for (let i = 0; i < 256; i++) {
  // G.711 decoders (ITU-T reference), scaled so that full scale 32124 / 32256 maps below 1.
  const u = ~i & 0xff;
  let t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  ULAW[i] = (u & 0x80 ? 0x84 - t : t - 0x84) / 32768;
  const a = i ^ 0x55;
  let s = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) s += 8;
  else if (seg === 1) s += 0x108;
  else s = (s + 0x108) << (seg - 1);
  ALAW[i] = (a & 0x80 ? s : -s) / 32768;
}

/**
 * Decodes frames `[start, start + count)` of a PCM layout into one Float32Array per channel,
 * reading only those bytes. Integers scale by 1 / 2^(bits-1) (as libsndfile / soundfile, so
 * int16 -32768 -> -1.0 exactly); 8-bit WAV is unsigned with 128 as zero.
 */
export function decodePcmFrames(
  src: ByteSource,
  layout: PcmLayout,
  start: number,
  count: number,
): Float32Array[] {
  const { channels, bytesPerSample: bps, littleEndian: le, encoding } = layout;
  const first = Math.max(0, Math.min(start, layout.frames));
  const n = Math.max(0, Math.min(count, layout.frames - first));
  const frameBytes = channels * bps;
  const bytes = src.read(layout.dataOffset + first * frameBytes, n * frameBytes);
  const frames = Math.floor(bytes.length / frameBytes);
  const out: Float32Array[] = [];
  for (let c = 0; c < channels; c++) out.push(new Float32Array(frames));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bits = bps * 8;
  const scale = 1 / 2 ** (bits - 1);
  for (let c = 0; c < channels; c++) {
    const dst = out[c];
    let p = c * bps;
    if (encoding === 'float') {
      if (bps === 4) for (let i = 0; i < frames; i++, p += frameBytes) dst[i] = view.getFloat32(p, le);
      else for (let i = 0; i < frames; i++, p += frameBytes) dst[i] = view.getFloat64(p, le);
    } else if (encoding === 'uint8') {
      for (let i = 0; i < frames; i++, p += frameBytes) dst[i] = (bytes[p] - 128) / 128;
    } else if (encoding === 'ulaw' || encoding === 'alaw') {
      const table = encoding === 'ulaw' ? ULAW : ALAW;
      for (let i = 0; i < frames; i++, p += frameBytes) dst[i] = table[bytes[p]];
    } else if (bps === 1) {
      for (let i = 0; i < frames; i++, p += frameBytes) dst[i] = view.getInt8(p) * scale;
    } else if (bps === 2) {
      for (let i = 0; i < frames; i++, p += frameBytes) dst[i] = view.getInt16(p, le) * scale;
    } else if (bps === 3) {
      for (let i = 0; i < frames; i++, p += frameBytes) {
        const v = le
          ? bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16)
          : (bytes[p] << 16) | (bytes[p + 1] << 8) | bytes[p + 2];
        dst[i] = ((v << 8) >> 8) * scale;
      }
    } else if (bps === 4) {
      for (let i = 0; i < frames; i++, p += frameBytes) dst[i] = view.getInt32(p, le) * scale;
    } else {
      throw new EmovoxInputError(src.name, `unsupported ${bits}-bit integer samples`);
    }
  }
  return out;
}
