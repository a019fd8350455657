import { writeFileAtomicSync } from '../util/atomic-file.js';
import { EmovoxInputError } from '../util/errors.js';
import { MAX_SAMPLE_RATE } from './pcm.js';

/** Sample formats {@link saveAudio} writes: signed PCM (8-bit is WAV's unsigned) or IEEE float32. */
export type WavBitDepth = 8 | 16 | 24 | 32 | 'float32';

/** Options of {@link encodeWav} / {@link saveAudio}. */
export interface SaveAudioOptions {
  /** Sample format (default 16). */
  bitDepth?: WavBitDepth;
}

function channelsOf(samples: Float32Array | Float32Array[]): Float32Array[] {
  return samples instanceof Float32Array ? [samples] : samples;
}

/**
 * Encodes samples as a WAV file in memory. PCM quantises by round(x * 2^(b-1)) clipped to the
 * integer range, the exact inverse of the loader's scaling, so values on that grid round-trip
 * bit-exactly. More than two channels use WAVE_FORMAT_EXTENSIBLE.
 *
 * @param samples - mono Float32Array or one Float32Array per channel (equal lengths), nominally in [-1, 1).
 * @param sampleRate - in Hz (positive integer).
 * @param options.bitDepth - 8 | 16 | 24 | 32 | 'float32' (default 16).
 * @throws EmovoxInputError for NaN/Inf samples, unequal channels or a bad rate.
 */
export function encodeWav(
  samples: Float32Array | Float32Array[],
  sampleRate: number,
  options: SaveAudioOptions = {},
  name = '<wav>',
): Uint8Array {
  const bitDepth = options.bitDepth ?? 16;
  const channels = channelsOf(samples);
  if (channels.length === 0) throw new EmovoxInputError(name, 'no channels to write');
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate > MAX_SAMPLE_RATE) {
    throw new EmovoxInputError(
      name,
      `cannot write sample rate ${sampleRate} Hz (integer 1..${MAX_SAMPLE_RATE})`,
    );
  }
  const frames = channels[0].length;
  if (channels.some((c) => c.length !== frames))
    throw new EmovoxInputError(name, 'channels differ in length');
  if (![8, 16, 24, 32, 'float32'].includes(bitDepth)) {
    throw new EmovoxInputError(name, `unsupported bitDepth ${String(bitDepth)} (8, 16, 24, 32 or 'float32')`);
  }
  const float = bitDepth === 'float32';
  const bps = float ? 4 : bitDepth / 8;
  const nch = channels.length;
  const extensible = nch > 2;
  const fmtSize = extensible ? 40 : float ? 18 : 16;
  const dataBytes = frames * nch * bps;
  const factSize = float ? 12 : 0;
  const total = 12 + 8 + fmtSize + factSize + 8 + dataBytes + (dataBytes & 1);
  if (total > 0xffffffff) throw new EmovoxInputError(name, 'audio too long for a WAV file (4 GiB limit)');
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  const text = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  text(0, 'RIFF');
  v.setUint32(4, total - 8, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  v.setUint32(16, fmtSize, true);
  const tag = float ? 3 : 1;
  v.setUint16(20, extensible ? 0xfffe : tag, true);
  v.setUint16(22, nch, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * nch * bps, true);
  v.setUint16(32, nch * bps, true);
  v.setUint16(34, bps * 8, true);
  let p = 36;
  if (fmtSize > 16) {
    v.setUint16(36, fmtSize - 18, true);
    p = 38;
    if (extensible) {
      v.setUint16(38, bps * 8, true); // valid bits
      v.setUint32(40, 0, true); // channel mask: unspecified
      // Sub-format GUID {tag}-0000-0010-8000-00aa00389b71
      v.setUint16(44, tag, true);
      out.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 46);
      p = 60;
    }
  }
  if (float) {
    text(p, 'fact');
    v.setUint32(p + 4, 4, true);
    v.setUint32(p + 8, frames, true);
    p += 12;
  }
  text(p, 'data');
  v.setUint32(p + 4, dataBytes, true);
  p += 8;
  const full = float ? 1 : 2 ** ((bitDepth as number) - 1);
  const lo = -full;
  const hi = full - 1;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nch; c++, p += bps) {
      const x = channels[c][i];
      if (!Number.isFinite(x)) throw new EmovoxInputError(name, `sample ${i} of channel ${c} is ${x}`);
      if (float) {
        v.setFloat32(p, x, true);
        continue;
      }
      const q = Math.min(hi, Math.max(lo, Math.round(x * full)));
      if (bps === 1) out[p] = q + 128;
      else if (bps === 2) v.setInt16(p, q, true);
      else if (bps === 3) {
        out[p] = q & 0xff;
        out[p + 1] = (q >> 8) & 0xff;
        out[p + 2] = (q >> 16) & 0xff;
      } else v.setInt32(p, q, true);
    }
  }
  return out;
}

/**
 * Writes samples to `path` as WAV (see {@link encodeWav} for quantisation). FLAC writing is not
 * provided (see docs/audio.md); use the `flac` CLI on the WAV. The write is atomic (temporary file
 * + fsync + rename): a full disk or an interrupted run leaves any previous file at `path` intact.
 *
 * @param path - output file; must end in .wav (or have no audio extension).
 * @param samples - mono Float32Array or one Float32Array per channel.
 * @param sampleRate - in Hz.
 * @param options.bitDepth - 8 | 16 | 24 | 32 | 'float32' (default 16).
 */
export function saveAudio(
  path: string,
  samples: Float32Array | Float32Array[],
  sampleRate: number,
  options: SaveAudioOptions = {},
): void {
  if (/\.(flac|mp3|ogg|opus|m4a|aiff?)$/i.test(path)) {
    throw new EmovoxInputError(
      path,
      'saveAudio writes WAV only; use a .wav path (encode FLAC with the flac CLI)',
    );
  }
  writeFileAtomicSync(path, encodeWav(samples, sampleRate, options, path));
}
