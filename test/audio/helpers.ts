// Builders for hand-made WAV / AIFF bytes, independent of emovox's own writer, so the parser
// is tested against headers we control field by field (including wrong ones).

/** One RIFF/AIFF chunk: id and body; `size` overrides the size field (to make it lie). */
export interface Chunk {
  id: string;
  body: Uint8Array;
  size?: number;
  /** Omit the pad byte after an odd-sized body (a common writer bug). */
  noPad?: boolean;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** RIFF (little-endian) or FORM (big-endian) file from chunks. */
export function container(riffId: string, form: string, chunks: Chunk[], bigEndian = false): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const c of chunks) {
    const header = new Uint8Array(8);
    header.set(ascii(c.id), 0);
    new DataView(header.buffer).setUint32(4, c.size ?? c.body.length, !bigEndian);
    parts.push(header, c.body);
    if (c.body.length & 1 && !c.noPad) parts.push(new Uint8Array(1));
  }
  const body = concat(parts);
  const head = new Uint8Array(12);
  head.set(ascii(riffId), 0);
  new DataView(head.buffer).setUint32(4, body.length + 4, !bigEndian);
  head.set(ascii(form), 8);
  return concat([head, body]);
}

/** A 16-byte WAV fmt body. */
export function fmtBody(
  tag: number,
  channels: number,
  rate: number,
  bits: number,
  blockAlign?: number,
): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  const align = blockAlign ?? channels * Math.ceil(bits / 8);
  v.setUint16(0, tag, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, rate * align, true);
  v.setUint16(12, align, true);
  v.setUint16(14, bits, true);
  return b;
}

/** A WAVE_FORMAT_EXTENSIBLE fmt body (40 bytes). */
export function extensibleFmtBody(
  subTag: number,
  channels: number,
  rate: number,
  bits: number,
  validBits = bits,
): Uint8Array {
  const b = new Uint8Array(40);
  b.set(fmtBody(0xfffe, channels, rate, bits), 0);
  const v = new DataView(b.buffer);
  v.setUint16(16, 22, true);
  v.setUint16(18, validBits, true);
  v.setUint32(20, 0, true);
  v.setUint16(24, subTag, true);
  b.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
  return b;
}

/** Little-endian int16 samples as bytes. */
export function int16Bytes(values: number[], bigEndian = false): Uint8Array {
  const b = new Uint8Array(values.length * 2);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setInt16(i * 2, x, !bigEndian));
  return b;
}

/** float32 / float64 samples as bytes. */
export function floatBytes(values: number[], bits: 32 | 64, bigEndian = false): Uint8Array {
  const n = bits / 8;
  const b = new Uint8Array(values.length * n);
  const v = new DataView(b.buffer);
  values.forEach((x, i) =>
    bits === 32 ? v.setFloat32(i * n, x, !bigEndian) : v.setFloat64(i * n, x, !bigEndian),
  );
  return b;
}

/** A simple PCM WAV from int16 samples. */
export function wav16(values: number[], rate = 16000, channels = 1): Uint8Array {
  return container('RIFF', 'WAVE', [
    { id: 'fmt ', body: fmtBody(1, channels, rate, 16) },
    { id: 'data', body: int16Bytes(values) },
  ]);
}

/** IEEE 80-bit extended encoding of a (positive integer) sample rate, for AIFF COMM. */
export function extended80(value: number): Uint8Array {
  const b = new Uint8Array(10);
  if (value === 0) return b;
  const exp = Math.floor(Math.log2(value));
  const v = new DataView(b.buffer);
  v.setUint16(0, exp + 16383, false);
  const mant = value / 2 ** exp; // in [1, 2)
  const hi = Math.floor(mant * 2 ** 31);
  v.setUint32(2, hi, false);
  v.setUint32(6, Math.round((mant * 2 ** 31 - hi) * 2 ** 32), false);
  return b;
}

/** AIFF / AIFF-C COMM body. */
export function commBody(
  channels: number,
  frames: number,
  bits: number,
  rate: number,
  compression?: string,
): Uint8Array {
  const b = new Uint8Array(compression ? 24 : 18);
  const v = new DataView(b.buffer);
  v.setInt16(0, channels, false);
  v.setUint32(2, frames, false);
  v.setInt16(6, bits, false);
  b.set(extended80(rate), 8);
  if (compression) {
    b.set(ascii(compression), 18);
    b[22] = 0; // empty Pascal-string name, padded
  }
  return b;
}

/** SSND body: offset, block size, then samples. */
export function ssndBody(samples: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + samples.length);
  b.set(samples, 8);
  return b;
}

/** Deterministic pseudo-random integers in [lo, hi] (a tiny LCG; tests only). */
export function randomInts(n: number, lo: number, hi: number, seed = 1): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + Math.floor((s / 2 ** 32) * (hi - lo + 1)));
  }
  return out;
}

/** Power of the DFT of `y` at frequency `f` Hz (any real frequency, not only bin centres; tests only). */
export function dftPower(y: Float32Array, sr: number, f: number): number {
  let re = 0;
  let im = 0;
  const w = (2 * Math.PI * f) / sr;
  for (let i = 0; i < y.length; i++) {
    re += y[i] * Math.cos(w * i);
    im += y[i] * Math.sin(w * i);
  }
  return re * re + im * im;
}

/** Frequency (Hz) of the largest DFT peak of `y` between lo and hi Hz, in 0.5 Hz steps (tests only). */
export function peakFrequency(y: Float32Array, sr: number, lo = 50, hi = 2000): number {
  let best = 0;
  let bestF = 0;
  for (let f = lo; f <= hi; f += 0.5) {
    const p = dftPower(y, sr, f);
    if (p > best) {
      best = p;
      bestF = f;
    }
  }
  return bestF;
}
