import { isMpegFrameHeader, mpegFrameLength } from './detect.js';

/** What {@link scanMpeg} found by walking an MPEG audio stream frame by frame (nothing decoded). */
export interface MpegScan {
  /** Complete frames (the Xing/Info frame included when present). */
  readonly frames: number;
  /** Samples per channel each frame decodes to (384, 576 or 1152). */
  readonly samplesPerFrame: number;
  /** Sample rate of the first frame, Hz. */
  readonly sampleRate: number;
  /** 1 for mono (channel mode 3), else 2. */
  readonly channels: number;
  /** Audio frames the Xing/Info or VBRI header declares (the header frame excluded), when present. */
  readonly declaredFrames?: number;
  /** Set when the stream is cut off: the last frame is incomplete or fewer frames exist than declared. */
  readonly truncation?: string;
  /** Non-MPEG bytes between frames that a decoder skips (damage or a stray tag in the middle). */
  readonly junk: { readonly at: number; readonly length: number }[];
  /** Rough duration in seconds from the frame count (before encoder delay and padding are removed). */
  readonly durationS: number;
}

const SAMPLE_RATES = [44100, 48000, 32000];

function trailingTagLength(b: Uint8Array, at: number): number {
  const rest = b.length - at;
  const text = (o: number, n: number) => String.fromCharCode(...b.subarray(at + o, at + o + n));
  if (rest >= 3 && text(0, 3) === 'TAG') return rest <= 128 + 227 ? rest : 0; // ID3v1 (and enhanced TAG+)
  if (rest >= 8 && text(0, 8) === 'APETAGEX') return rest;
  if (rest >= 11 && text(0, 11) === 'LYRICSBEGIN') return rest;
  if (rest >= 3 && text(0, 3) === 'ID3') return rest; // an ID3v2 tag appended at the end
  return 0;
}

function xingFrames(b: Uint8Array, at: number, version: number, mono: boolean): number | undefined {
  const sideInfo = version === 3 ? (mono ? 17 : 32) : mono ? 9 : 17;
  const x = at + 4 + sideInfo;
  const tag = String.fromCharCode(...b.subarray(x, x + 4));
  if ((tag === 'Xing' || tag === 'Info') && x + 12 <= b.length) {
    const view = new DataView(b.buffer, b.byteOffset + x, 12);
    if (view.getUint32(4) & 1) return view.getUint32(8);
    return undefined;
  }
  const v = at + 4 + 32;
  if (String.fromCharCode(...b.subarray(v, v + 4)) === 'VBRI' && v + 18 <= b.length) {
    return new DataView(b.buffer, b.byteOffset + v, 18).getUint32(14);
  }
  return undefined;
}

/**
 * Walks the frames of an MPEG audio stream (layer I-III) from `start`, reading only frame
 * headers: counts complete frames, notices a cut-off last frame or fewer frames than the
 * Xing/Info/VBRI header declares (truncation), and non-MPEG bytes between frames (junk). Tags at
 * the end (ID3v1, APEv2, Lyrics3, ID3v2) are not junk.
 *
 * @param b - the stream's bytes (after any leading ID3v2 tag).
 * @param start - offset of the first frame header.
 */
export function scanMpeg(b: Uint8Array, start = 0): MpegScan {
  let pos = start;
  let frames = 0;
  let truncation: string | undefined;
  const junk: { at: number; length: number }[] = [];
  const first = pos;
  const version = (b[first + 1] >> 3) & 3;
  const layer = (b[first + 1] >> 1) & 3;
  const mono = b[first + 3] >> 6 === 3;
  const sampleRate =
    (SAMPLE_RATES[(b[first + 2] >> 2) & 3] ?? 44100) / (version === 3 ? 1 : version === 2 ? 2 : 4);
  const samplesPerFrame = layer === 3 ? 384 : layer === 2 || version === 3 ? 1152 : 576;
  const declared = isMpegFrameHeader(b, first) ? xingFrames(b, first, version, mono) : undefined;
  while (pos < b.length) {
    const length = isMpegFrameHeader(b, pos) ? mpegFrameLength(b, pos) : 0;
    if (length > 0) {
      if (pos + length > b.length) {
        // A frame that runs past the end is a cut-off stream, unless what follows is plainly not
        // MPEG data (the header bytes then were a chance match inside a tag).
        truncation = `the last frame (byte ${pos}) is cut off: ${b.length - pos} of its ${length} bytes present`;
        break;
      }
      frames++;
      pos += length;
      continue;
    }
    const tag = trailingTagLength(b, pos);
    if (tag > 0) break;
    // Resynchronise: the next offset where a frame header is followed by another one (or the end).
    let next = pos + 1;
    while (next < b.length) {
      if (isMpegFrameHeader(b, next)) {
        const l = mpegFrameLength(b, next);
        if (
          l > 0 &&
          (next + l >= b.length || isMpegFrameHeader(b, next + l) || trailingTagLength(b, next + l) > 0)
        )
          break;
      }
      next++;
    }
    junk.push({ at: pos, length: next - pos });
    pos = next;
  }
  const audioFrames = declared !== undefined ? frames - 1 : frames;
  if (!truncation && declared !== undefined && audioFrames < declared) {
    truncation = `its Xing/Info header declares ${declared} frames but only ${audioFrames} are present`;
  }
  return {
    frames,
    samplesPerFrame,
    sampleRate,
    channels: mono ? 1 : 2,
    declaredFrames: declared,
    truncation,
    junk,
    durationS: (frames * samplesPerFrame) / sampleRate,
  };
}
