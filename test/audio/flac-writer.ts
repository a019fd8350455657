// A minimal FLAC writer for the decoder tests: it writes what libFLAC's encoder never does
// (escaped residual partitions, both Rice parameter widths, variable block sizes, chosen LPC
// coefficients), one frame per block as described, with STREAMINFO (MD5 unset) in front.
export class BitWriter {
  readonly bytes: number[] = [];
  private acc = 0;
  private n = 0;

  bits(value: number, count: number): void {
    for (let b = count - 1; b >= 0; b--) {
      this.acc = (this.acc << 1) | (Math.floor(value / 2 ** b) & 1);
      if (++this.n === 8) {
        this.bytes.push(this.acc);
        this.acc = 0;
        this.n = 0;
      }
    }
  }

  signed(value: number, count: number): void {
    this.bits(value < 0 ? value + 2 ** count : value, count);
  }

  unary(q: number): void {
    for (let i = 0; i < q; i++) this.bits(0, 1);
    this.bits(1, 1);
  }

  align(): void {
    while (this.n !== 0) this.bits(0, 1);
  }
}

function crc(bytes: number[], bits: 8 | 16): number {
  const poly = bits === 8 ? 0x07 : 0x8005;
  const top = 1 << (bits - 1);
  const mask = (1 << bits) - 1;
  let c = 0;
  for (const byte of bytes) {
    c ^= byte << (bits - 8);
    for (let k = 0; k < 8; k++) c = c & top ? ((c << 1) ^ poly) & mask : (c << 1) & mask;
  }
  return c;
}

/** FLAC's UTF-8-like coding of a frame or sample number. */
function codedNumber(v: number): number[] {
  if (v < 0x80) return [v];
  const out: number[] = [];
  let len = 2;
  while (v >= 2 ** (5 * len + 1)) len++;
  for (let i = 0; i < len - 1; i++) {
    out.unshift(0x80 | (v & 0x3f));
    v = Math.floor(v / 64);
  }
  out.unshift(((0xff00 >> len) & 0xff) | v);
  return out;
}

export type Partition = { rice: number } | { escape: number };

/** How one subframe is coded. Residual partitions: 2^porder of them. */
export interface SubframeCoding {
  type: 'constant' | 'verbatim' | 'fixed' | 'lpc';
  order?: number;
  coefs?: number[];
  precision?: number;
  shift?: number;
  method?: 0 | 1;
  partitions?: Partition[];
  wasted?: number;
}

function writeResidual(
  w: BitWriter,
  res: number[],
  order: number,
  n: number,
  method: 0 | 1,
  parts: Partition[],
): void {
  w.bits(method, 2);
  const porder = Math.log2(parts.length);
  w.bits(porder, 4);
  let i = 0;
  for (const [p, part] of parts.entries()) {
    const count = (n >> porder) - (p === 0 ? order : 0);
    if ('escape' in part) {
      w.bits(method === 0 ? 15 : 31, method === 0 ? 4 : 5);
      w.bits(part.escape, 5);
      for (let j = 0; j < count; j++, i++) if (part.escape > 0) w.signed(res[i], part.escape);
    } else {
      w.bits(part.rice, method === 0 ? 4 : 5);
      for (let j = 0; j < count; j++, i++) {
        const u = res[i] >= 0 ? 2 * res[i] : -2 * res[i] - 1;
        w.unary(Math.floor(u / 2 ** part.rice));
        w.bits(u % 2 ** part.rice, part.rice);
      }
    }
  }
}

const FIXED = [[], [1], [2, -1], [3, -3, 1], [4, -6, 4, -1]];

function writeSubframe(w: BitWriter, x: Int32Array, bps: number, s: SubframeCoding): void {
  const wasted = s.wasted ?? 0;
  const v = Array.from(x, (a) => a / 2 ** wasted);
  const b = bps - wasted;
  const typeCode = { constant: 0, verbatim: 1, fixed: 8 + (s.order ?? 0), lpc: 31 + (s.order ?? 1) }[s.type];
  w.bits(0, 1);
  w.bits(typeCode, 6);
  w.bits(wasted > 0 ? 1 : 0, 1);
  if (wasted > 0) w.unary(wasted - 1);
  if (s.type === 'constant') return w.signed(v[0], b);
  if (s.type === 'verbatim') return v.forEach((a) => w.signed(a, b));
  const order = s.order ?? 0;
  for (let i = 0; i < order; i++) w.signed(v[i], b);
  const coefs = s.type === 'fixed' ? FIXED[order] : (s.coefs as number[]);
  const shift = s.type === 'fixed' ? 0 : (s.shift as number);
  if (s.type === 'lpc') {
    w.bits((s.precision as number) - 1, 4);
    w.signed(shift, 5);
    for (const c of coefs) w.signed(c, s.precision as number);
  }
  const res: number[] = [];
  for (let i = order; i < v.length; i++) {
    let sum = 0n;
    for (let j = 0; j < order; j++) sum += BigInt(coefs[j]) * BigInt(v[i - 1 - j]);
    res.push(v[i] - Number(sum >> BigInt(shift)));
  }
  writeResidual(w, res, order, v.length, s.method ?? 0, s.partitions ?? [{ rice: 4 }]);
}

export interface FrameCoding {
  /** 0-7 independent channels, 8 left/side, 9 right/side, 10 mid/side. */
  assignment: number;
  subframes: SubframeCoding[];
}

/** A FLAC file: STREAMINFO (MD5 unset) and one frame per block. */
export function writeFlac(
  channels: Int32Array[],
  rate: number,
  bps: number,
  blocks: number[],
  frames: FrameCoding[],
  variable: boolean,
): Uint8Array {
  const out: number[] = [0x66, 0x4c, 0x61, 0x43];
  const si = new BitWriter();
  si.bits(Math.min(...blocks), 16);
  si.bits(Math.max(...blocks), 16);
  si.bits(0, 24);
  si.bits(0, 24);
  si.bits(rate, 20);
  si.bits(channels.length - 1, 3);
  si.bits(bps - 1, 5);
  si.bits(channels[0].length, 36);
  for (let i = 0; i < 16; i++) si.bits(0, 8);
  out.push(0x80, 0, 0, 34, ...si.bytes);
  const bpsCode = { 8: 1, 12: 2, 16: 4, 20: 5, 24: 6 }[bps] ?? 0;
  let start = 0;
  for (const [f, size] of blocks.entries()) {
    const coding = frames[f % frames.length];
    const w = new BitWriter();
    w.bits(0xfff8 | (variable ? 1 : 0), 16);
    w.bits(7, 4); // 16-bit block size follows
    w.bits(0, 4); // rate from STREAMINFO
    w.bits(coding.assignment, 4);
    w.bits(bpsCode, 3);
    w.bits(0, 1);
    for (const byte of codedNumber(variable ? start : f)) w.bits(byte, 8);
    w.bits(size - 1, 16);
    w.bits(crc(w.bytes, 8), 8);
    const block = channels.map((ch) => ch.subarray(start, start + size));
    let coded = block;
    if (coding.assignment >= 8) {
      const [l, r] = block;
      const side = l.map((a, i) => a - r[i]);
      if (coding.assignment === 8) coded = [l, side];
      else if (coding.assignment === 9) coded = [side, r];
      else coded = [l.map((a, i) => Math.floor((a + r[i]) / 2)), side];
    }
    coded.forEach((x, c) => {
      const side = (coding.assignment === 8 || coding.assignment === 10) && c === 1;
      writeSubframe(w, x, bps + (side || (coding.assignment === 9 && c === 0) ? 1 : 0), coding.subframes[c]);
    });
    w.align();
    w.bits(crc(w.bytes, 16), 16);
    for (const byte of w.bytes) out.push(byte);
    start += size;
  }
  return Uint8Array.from(out);
}
