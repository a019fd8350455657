// Raw interleaved PCM bytes (as `arecord` or `ffmpeg -f s16le` write them) -> mono float
// samples, chunk by chunk: a chunk may end in the middle of a sample or a frame. Pure.
import { EmovoxInputError } from '../util/errors.js';

/** Raw sample formats `emovox listen` reads: signed 16-bit or 32-bit float, little-endian. */
export type RawPcmFormat = 's16le' | 'f32le';

/** Bytes per sample of a {@link RawPcmFormat}. */
export function bytesPerSample(format: RawPcmFormat): number {
  return format === 's16le' ? 2 : 4;
}

/**
 * Decodes interleaved little-endian PCM into mono (the mean of the channels), carrying an
 * incomplete trailing frame over to the next chunk.
 */
export class PcmStreamDecoder {
  private readonly frameBytes: number;
  private carry = new Uint8Array(0);
  /** Non-finite float samples replaced by 0 so far. */
  nonFinite = 0;

  /**
   * @param format - `s16le` or `f32le`.
   * @param channels - interleaved channels, 1..32.
   */
  constructor(
    readonly format: RawPcmFormat,
    readonly channels: number,
  ) {
    if (format !== 's16le' && format !== 'f32le')
      throw new EmovoxInputError('--format', `must be s16le or f32le, got ${String(format)}`);
    if (!Number.isInteger(channels) || channels < 1 || channels > 32)
      throw new EmovoxInputError('--channels', `must be an integer in 1..32, got ${channels}`);
    this.frameBytes = bytesPerSample(format) * channels;
  }

  /** Bytes held back (an incomplete frame) since the last call. */
  get pending(): number {
    return this.carry.length;
  }

  /** Decodes the complete frames of `carry + bytes`; keeps the rest for the next call. */
  decode(bytes: Uint8Array): Float32Array {
    let data = bytes;
    if (this.carry.length > 0) {
      data = new Uint8Array(this.carry.length + bytes.length);
      data.set(this.carry);
      data.set(bytes, this.carry.length);
    }
    const frames = Math.floor(data.length / this.frameBytes);
    const used = frames * this.frameBytes;
    this.carry = data.slice(used);
    const view = new DataView(data.buffer, data.byteOffset, used);
    const out = new Float32Array(frames);
    const c = this.channels;
    const step = bytesPerSample(this.format);
    for (let f = 0; f < frames; f++) {
      let sum = 0;
      for (let ch = 0; ch < c; ch++) {
        const at = (f * c + ch) * step;
        let v = this.format === 's16le' ? view.getInt16(at, true) / 32768 : view.getFloat32(at, true);
        if (!Number.isFinite(v)) {
          v = 0;
          this.nonFinite++;
        }
        sum += v;
      }
      out[f] = sum / c;
    }
    return out;
  }
}
