import { fourCC } from './byte-source.js';

/** Containers emovox recognises by their first bytes. */
export type ContainerFormat = 'wav' | 'rf64' | 'aiff' | 'flac' | 'mp3' | 'ogg' | 'unknown';

/** Length of an ID3v2 tag at the start of `head` (0 when none). */
export function id3v2Length(head: Uint8Array): number {
  if (head.length < 10 || head[0] !== 0x49 || head[1] !== 0x44 || head[2] !== 0x33) return 0;
  const size =
    ((head[6] & 0x7f) << 21) | ((head[7] & 0x7f) << 14) | ((head[8] & 0x7f) << 7) | (head[9] & 0x7f);
  const footer = head[5] & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

/** True when `bytes[at..]` starts a plausible MPEG audio frame header (layer I/II/III). */
export function isMpegFrameHeader(bytes: Uint8Array, at: number): boolean {
  if (at + 4 > bytes.length) return false;
  const b1 = bytes[at + 1];
  const b2 = bytes[at + 2];
  if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return false;
  const version = (b1 >> 3) & 3;
  const layer = (b1 >> 1) & 3;
  const bitrate = b2 >> 4;
  const rate = (b2 >> 2) & 3;
  return version !== 1 && layer !== 0 && bitrate !== 15 && bitrate !== 0 && rate !== 3;
}

/**
 * Sniffs the container from its bytes (never from a file extension: corpora contain AIFF files
 * named .wav). `head` is the start of the input after any ID3v2 tag has been skipped by the caller
 * (`afterId3` tells whether one was).
 */
export function detectContainer(head: Uint8Array, afterId3 = false): ContainerFormat {
  if (head.length >= 12) {
    const id = fourCC(head, 0);
    const form = fourCC(head, 8);
    if ((id === 'RIFF' || id === 'RIFX') && form === 'WAVE') return 'wav';
    if ((id === 'RF64' || id === 'BW64') && form === 'WAVE') return 'rf64';
    if (id === 'FORM' && (form === 'AIFF' || form === 'AIFC')) return 'aiff';
  }
  if (head.length >= 4) {
    const id = fourCC(head, 0);
    if (id === 'fLaC') return 'flac';
    if (id === 'OggS') return 'ogg';
  }
  // A bare MPEG frame sync is weak evidence; require a second frame header or an ID3 tag before it.
  if (isMpegFrameHeader(head, 0) && (afterId3 || looksLikeMpegStream(head))) return 'mp3';
  return 'unknown';
}

function looksLikeMpegStream(head: Uint8Array): boolean {
  const next = mpegFrameLength(head, 0);
  return next > 0 && (next + 4 > head.length || isMpegFrameHeader(head, next));
}

const BITRATES_V1: number[][] = [
  [],
  [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320], // layer III
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384], // layer II
  [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448], // layer I
];
const BITRATES_V2: number[][] = [
  [],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
];
const RATES = [44100, 48000, 32000];

/** Byte length of the MPEG frame whose header is at `at` (0 when not computable). */
export function mpegFrameLength(bytes: Uint8Array, at: number): number {
  if (!isMpegFrameHeader(bytes, at)) return 0;
  const b1 = bytes[at + 1];
  const b2 = bytes[at + 2];
  const version = (b1 >> 3) & 3; // 3 = MPEG1, 2 = MPEG2, 0 = MPEG2.5
  const layer = (b1 >> 1) & 3; // 1 = III, 2 = II, 3 = I
  const kbps = (version === 3 ? BITRATES_V1 : BITRATES_V2)[layer][b2 >> 4];
  const rate = RATES[(b2 >> 2) & 3] / (version === 3 ? 1 : version === 2 ? 2 : 4);
  const padding = (b2 >> 1) & 1;
  if (layer === 3) return (Math.floor((12 * kbps * 1000) / rate) + padding) * 4;
  const perFrame = layer === 1 && version !== 3 ? 72 : 144;
  return Math.floor((perFrame * kbps * 1000) / rate) + padding;
}
