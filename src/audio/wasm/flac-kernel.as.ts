// AssemblyScript source of the FLAC frame decoder (compiled by scripts/build-wasm.mjs into
// flac-kernel.wasm.ts). It decodes one frame per call: header (CRC-8 checked), subframes
// (constant, verbatim, fixed and LPC prediction with Rice / escaped residuals, wasted bits),
// stereo decorrelation, and the frame's CRC-16; samples are written as float32 scaled by
// 2^-(bps-1). Streams of 4 to 24 bits per sample (the side channel of a 24-bit stream has 25);
// the TypeScript side (flac.ts) routes 25- to 32-bit streams elsewhere. Behaviour follows the
// FLAC format (RFC 9639) as libFLAC implements it (same 32-bit / 64-bit LPC split).
//
// Memory map (fixed here; flac.ts places the input bytes and the output at or above
// INPUT_BASE):
//   0 .. 256          CRC-8 table (u8)
//   768 .. 1024       frame info (i32 fields, INFO_*)
//   1024 .. 1152      LPC coefficients (32 x i32)
//   2048 .. 4096      CRC-16 tables (4 x 256 u16: a byte followed by 0..3 zero bytes)
//   4096 ..           int32 work buffers, one per channel (8 x 65536 samples)

const CRC8_TABLE: usize = 0;
const CRC16_TABLE: usize = 2048;
const INFO: usize = 768;
const COEFS: usize = 1024;
const WORK: usize = 4096;
const WORK_SAMPLES: i32 = 65536;
const WORK_STRIDE: usize = (<usize>WORK_SAMPLES) << 2;
const MAX_CHANNELS: i32 = 8;

// Frame info fields (i32 index from INFO), read by flac.ts after a successful call.
const INFO_FRAME_END: usize = 0; // address of the first byte after the frame
const INFO_BLOCK_SIZE: usize = 1;
const INFO_CHANNELS: usize = 2;
const INFO_BPS: usize = 3;
const INFO_NUMBER_LO: usize = 4; // frame number (fixed blocking) or first sample number (variable)
const INFO_NUMBER_HI: usize = 5;
const INFO_VARIABLE: usize = 6; // 1 for variable-blocksize streams
const INFO_DETAIL: usize = 7; // channel (subframe) where an error was found, or -1

// Return codes (negative: error; flac.ts turns them into messages).
const ERR_NO_HEADER: i32 = -1; // no frame sync, reserved header values, or header CRC-8 mismatch
const ERR_TRUNCATED: i32 = -2; // the frame runs past the end of the input
const ERR_RESERVED_SUBFRAME: i32 = -3;
const ERR_BAD_RESIDUAL: i32 = -4; // reserved coding method, partition order that does not fit
const ERR_BAD_LPC: i32 = -5; // invalid precision or negative shift
const ERR_CRC16: i32 = -6;
const ERR_CHANNELS: i32 = -7; // frame channel count differs from STREAMINFO
const ERR_BPS: i32 = -8; // frame bit depth differs from STREAMINFO, or unsupported
const ERR_NEED_SPACE: i32 = -9; // the output region is too small for this frame's samples
const ERR_BAD_PADDING: i32 = -10; // the subframe header's zero bit is set
const ERR_RANGE: i32 = -11; // a decoded sample does not fit the stream's bit depth

/** First address flac.ts may use for input and output. */
export function inputBase(): usize {
  return WORK + <usize>MAX_CHANNELS * WORK_STRIDE;
}

/** Fills the CRC tables; call once after instantiation. */
export function init(): void {
  for (let i = 0; i < 256; i++) {
    let c8 = i;
    let c16 = i << 8;
    for (let b = 0; b < 8; b++) {
      c8 = c8 & 0x80 ? ((c8 << 1) ^ 0x07) & 0xff : (c8 << 1) & 0xff;
      c16 = c16 & 0x8000 ? ((c16 << 1) ^ 0x8005) & 0xffff : (c16 << 1) & 0xffff;
    }
    store<u8>(CRC8_TABLE + <usize>i, <u8>c8);
    store<u16>(CRC16_TABLE + ((<usize>i) << 1), <u16>c16);
  }
  // table k: CRC of byte i followed by k zero bytes (slice-by-4)
  for (let k = 1; k < 4; k++) {
    for (let i = 0; i < 256; i++) {
      const prev = <u32>load<u16>(CRC16_TABLE + 512 * <usize>(k - 1) + ((<usize>i) << 1));
      const next = ((prev << 8) & 0xffff) ^ (<u32>load<u16>(CRC16_TABLE + ((<usize>(prev >> 8)) << 1)));
      store<u16>(CRC16_TABLE + 512 * <usize>k + ((<usize>i) << 1), <u16>next);
    }
  }
}

function setInfo(field: usize, value: i32): void {
  store<i32>(INFO + (field << 2), value);
}

/** CRC-16 (polynomial 0x8005, FLAC's frame footer) of bytes [from, to), four bytes per step. */
function crc16(from: usize, to: usize): u32 {
  let crc: u32 = 0;
  let p = from;
  for (; p + 4 <= to; p += 4) {
    const x0 = (crc >> 8) ^ (<u32>load<u8>(p));
    const x1 = (crc & 0xff) ^ (<u32>load<u8>(p, 1));
    crc =
      (<u32>load<u16>(CRC16_TABLE + 1536 + ((<usize>x0) << 1))) ^
      (<u32>load<u16>(CRC16_TABLE + 1024 + ((<usize>x1) << 1))) ^
      (<u32>load<u16>(CRC16_TABLE + 512 + ((<usize>load<u8>(p, 2)) << 1))) ^
      (<u32>load<u16>(CRC16_TABLE + ((<usize>load<u8>(p, 3)) << 1)));
  }
  for (; p < to; p++) {
    crc =
      ((crc << 8) & 0xffff) ^
      (<u32>load<u16>(CRC16_TABLE + ((<usize>((crc >> 8) ^ (<u32>load<u8>(p)))) << 1)));
  }
  return crc;
}

// ---- bit reader: MSB-first 64-bit cache; the input is followed by >= 256 zero bytes ----
// Reads may run into the padding; every loop over input-controlled counts checks overrun()
// (or stops refilling 16 bytes past the end), so they never leave it.

let bitPtr: usize = 0; // next byte to load into the cache
let cache: u64 = 0; // unread bits, left-aligned (bits below `avail` are 0 or the next bytes)
let avail: i32 = 0; // number of unread bits in the cache
let limit: usize = 0; // end of the input

function refill(): void {
  // Loads 8 bytes; only whole bytes are counted, the rest are re-read next time.
  cache |= bswap<u64>(load<u64>(bitPtr)) >> (<u64>avail);
  const bytes = (63 - avail) >> 3;
  bitPtr += <usize>bytes;
  avail += bytes << 3;
}

/** n bits (0..32) as an unsigned value. */
function readBits(n: i32): u32 {
  if (avail < n) refill();
  const v = <u32>((cache >> 1) >> (<u64>(63 - n)));
  cache <<= <u64>n;
  avail -= n;
  return v;
}

/** n bits (1..32) as a two's-complement signed value. */
function readSigned(n: i32): i32 {
  const v = readBits(n);
  return (<i32>(v << (32 - n))) >> (32 - n);
}

/** Count of 0 bits before the next 1 bit (which is consumed); -1 when past the input end. */
function readUnary(): i32 {
  let q = 0;
  while (true) {
    if (avail < 56) {
      // past limit + 16 the cache holds nothing but padding: the run left the input
      if (bitPtr > limit + 16) return -1;
      refill();
    }
    const z = <i32>clz<u64>(cache);
    if (z < avail) {
      cache <<= <u64>(z + 1);
      avail -= z + 1;
      return q + z;
    }
    q += avail;
    cache = 0;
    avail = 0;
  }
  return -1; // not reached
}

/** True when the reader has consumed bits beyond the input. */
function overrun(): bool {
  return (bitPtr << 3) - <usize>avail > limit << 3;
}

/**
 * Rice-coded residuals: `count` values with parameter k into s[0 .. count). The hot loop keeps
 * the reader in locals.
 */
function riceRun(s: usize, count: i32, k: i32): i32 {
  let c = cache;
  let a = avail;
  let p = bitPtr;
  const need = k + 1;
  const kmask = <u32>(((<u64>1) << (<u64>k)) - 1);
  const end = s + ((<usize>count) << 2);
  for (let o = s; o < end; o += 4) {
    // Branch-free refill to 56..63 bits (whole bytes counted; the partial byte is re-read next
    // time). No end check here: past the input lie >= 256 zero bytes, and a run of 57 zero bits
    // always takes the general path below, which checks.
    c |= bswap<u64>(load<u64>(p)) >> (<u64>a);
    p += <usize>((63 - a) >> 3);
    a |= 56;
    const q = <i32>clz<u64>(c);
    const total = q + need;
    if (total <= a) {
      // total <= 63: one shift takes the unary run, its stop bit and the k low bits
      const low = (<u32>(c >> (<u64>(64 - total)))) & kmask;
      c <<= <u64>total;
      a -= total;
      const v = ((<u32>q) << k) | low;
      store<i32>(o, (<i32>(v >> 1)) ^ -(<i32>(v & 1)));
    } else {
      // long unary run (or k too large for the cache): the general path
      cache = c;
      avail = a;
      bitPtr = p;
      const u = readUnary();
      if (u < 0) return ERR_TRUNCATED;
      const low = k > 0 ? readBits(k) : 0;
      const v = ((<u32>u) << k) | low;
      store<i32>(o, (<i32>(v >> 1)) ^ -(<i32>(v & 1)));
      c = cache;
      a = avail;
      p = bitPtr;
    }
  }
  cache = c;
  avail = a;
  bitPtr = p;
  return 0;
}

/** The residual of a fixed or LPC subframe into s[order .. n). */
function readResidual(s: usize, n: i32, order: i32): i32 {
  const method = readBits(2);
  if (method > 1) return ERR_BAD_RESIDUAL;
  const paramBits = method == 0 ? 4 : 5;
  const escape: u32 = method == 0 ? 15 : 31;
  const porder = <i32>readBits(4);
  const partLen = n >> porder;
  if (partLen << porder != n || partLen < order) return ERR_BAD_RESIDUAL;
  let o = s + ((<usize>order) << 2);
  for (let part = 0; part < 1 << porder; part++) {
    const count = part == 0 ? partLen - order : partLen;
    const param = readBits(paramBits);
    if (param == escape) {
      const raw = <i32>readBits(5);
      if (raw == 0) {
        memory.fill(o, 0, (<usize>count) << 2);
      } else {
        for (let i = 0; i < count; i++) {
          // checked per value: unbounded raw reads must never leave the padding
          if (overrun()) return ERR_TRUNCATED;
          store<i32>(o + ((<usize>i) << 2), readSigned(raw));
        }
      }
    } else {
      const r = riceRun(o, count, <i32>param);
      if (r < 0) return r;
    }
    if (overrun()) return ERR_TRUNCATED;
    o += (<usize>count) << 2;
  }
  return 0;
}

function restoreFixed(s: usize, n: i32, order: i32): void {
  // s holds the warm-up samples then the residual; prediction in place
  if (order == 0) return;
  let p = s + ((<usize>order) << 2);
  const end = s + ((<usize>n) << 2);
  if (order == 1) {
    let a = load<i32>(p - 4);
    for (; p < end; p += 4) {
      a += load<i32>(p);
      store<i32>(p, a);
    }
  } else if (order == 2) {
    let a = load<i32>(p - 4);
    let b = load<i32>(p - 8);
    for (; p < end; p += 4) {
      const v = load<i32>(p) + 2 * a - b;
      store<i32>(p, v);
      b = a;
      a = v;
    }
  } else if (order == 3) {
    let a = load<i32>(p - 4);
    let b = load<i32>(p - 8);
    let c = load<i32>(p - 12);
    for (; p < end; p += 4) {
      const v = load<i32>(p) + 3 * (a - b) + c;
      store<i32>(p, v);
      c = b;
      b = a;
      a = v;
    }
  } else {
    let a = load<i32>(p - 4);
    let b = load<i32>(p - 8);
    let c = load<i32>(p - 12);
    let d = load<i32>(p - 16);
    for (; p < end; p += 4) {
      const v = load<i32>(p) + 4 * (a + c) - 6 * b - d;
      store<i32>(p, v);
      d = c;
      c = b;
      b = a;
      a = v;
    }
  }
}

/**
 * LPC prediction in place: s[i] += (sum_j coef[j] s[i-1-j]) >> shift. 32-bit sums when they
 * cannot overflow (libFLAC's test: bps + precision + floor(log2 order) <= 32), else 64-bit.
 */
function restoreLpc(s: usize, n: i32, order: i32, shift: i32, precision: i32, bps: i32): void {
  const log2order = 31 - clz<i32>(order);
  const end = s + ((<usize>n) << 2);
  if (bps + precision + log2order <= 32) {
    if (order <= 12) {
      // Unrolled over 4, 8 or 12 taps with the coefficients in locals (zero past the order;
      // the extra history loads then read at most 11 samples before s, inside the memory map).
      for (let j = order; j < 12; j++) store<i32>(COEFS + ((<usize>j) << 2), 0);
      const c0 = load<i32>(COEFS);
      const c1 = load<i32>(COEFS, 4);
      const c2 = load<i32>(COEFS, 8);
      const c3 = load<i32>(COEFS, 12);
      const start = s + ((<usize>order) << 2);
      // The newest sample stays in a local: the recurrence then never waits on a store.
      let prev = load<i32>(start - 4);
      if (order <= 4) {
        for (let p = start; p < end; p += 4) {
          const rest = c1 * load<i32>(p - 8) + (c2 * load<i32>(p - 12) + c3 * load<i32>(p - 16));
          prev = load<i32>(p) + ((c0 * prev + rest) >> shift);
          store<i32>(p, prev);
        }
        return;
      }
      const c4 = load<i32>(COEFS, 16);
      const c5 = load<i32>(COEFS, 20);
      const c6 = load<i32>(COEFS, 24);
      const c7 = load<i32>(COEFS, 28);
      if (order <= 8) {
        for (let p = start; p < end; p += 4) {
          const rest =
            c1 * load<i32>(p - 8) +
            (c2 * load<i32>(p - 12) + c3 * load<i32>(p - 16)) +
            (c4 * load<i32>(p - 20) +
              c5 * load<i32>(p - 24) +
              (c6 * load<i32>(p - 28) + c7 * load<i32>(p - 32)));
          prev = load<i32>(p) + ((c0 * prev + rest) >> shift);
          store<i32>(p, prev);
        }
        return;
      }
      const c8 = load<i32>(COEFS, 32);
      const c9 = load<i32>(COEFS, 36);
      const c10 = load<i32>(COEFS, 40);
      const c11 = load<i32>(COEFS, 44);
      for (let p = start; p < end; p += 4) {
        const rest =
          c1 * load<i32>(p - 8) +
          (c2 * load<i32>(p - 12) + c3 * load<i32>(p - 16)) +
          (c4 * load<i32>(p - 20) +
            c5 * load<i32>(p - 24) +
            (c6 * load<i32>(p - 28) + c7 * load<i32>(p - 32))) +
          (c8 * load<i32>(p - 36) +
            c9 * load<i32>(p - 40) +
            (c10 * load<i32>(p - 44) + c11 * load<i32>(p - 48)));
        prev = load<i32>(p) + ((c0 * prev + rest) >> shift);
        store<i32>(p, prev);
      }
      return;
    }
    for (let p = s + ((<usize>order) << 2); p < end; p += 4) {
      let sum: i32 = 0;
      let h = p - 4;
      for (let j = 0; j < order; j++) {
        sum += load<i32>(COEFS + ((<usize>j) << 2)) * load<i32>(h);
        h -= 4;
      }
      store<i32>(p, load<i32>(p) + (sum >> shift));
    }
  } else {
    for (let p = s + ((<usize>order) << 2); p < end; p += 4) {
      let sum: i64 = 0;
      let h = p - 4;
      for (let j = 0; j < order; j++) {
        sum += <i64>load<i32>(COEFS + ((<usize>j) << 2)) * <i64>load<i32>(h);
        h -= 4;
      }
      store<i32>(p, load<i32>(p) + <i32>(sum >> shift));
    }
  }
}

/** One subframe of n samples at `bps` bits into s. */
function readSubframe(s: usize, n: i32, bps: i32): i32 {
  const header = readBits(8);
  if (header & 0x80) return ERR_BAD_PADDING;
  const type = <i32>((header >> 1) & 63);
  let wasted = 0;
  if (header & 1) {
    const u = readUnary();
    if (u < 0) return ERR_TRUNCATED;
    wasted = u + 1;
    if (wasted >= bps) return ERR_RESERVED_SUBFRAME;
    bps -= wasted;
  }
  if (type == 0) {
    const v = readSigned(bps);
    for (let i = 0; i < n; i++) store<i32>(s + ((<usize>i) << 2), v);
  } else if (type == 1) {
    for (let i = 0; i < n; i++) {
      if (overrun()) return ERR_TRUNCATED;
      store<i32>(s + ((<usize>i) << 2), readSigned(bps));
    }
  } else if (type >= 8 && type <= 12) {
    const order = type - 8;
    if (order > n) return ERR_BAD_RESIDUAL;
    for (let i = 0; i < order; i++) store<i32>(s + ((<usize>i) << 2), readSigned(bps));
    if (overrun()) return ERR_TRUNCATED;
    const r = readResidual(s, n, order);
    if (r < 0) return r;
    restoreFixed(s, n, order);
  } else if (type >= 32) {
    const order = type - 31;
    if (order > n) return ERR_BAD_RESIDUAL;
    for (let i = 0; i < order; i++) store<i32>(s + ((<usize>i) << 2), readSigned(bps));
    if (overrun()) return ERR_TRUNCATED;
    const precision = <i32>readBits(4) + 1;
    if (precision == 16) return ERR_BAD_LPC;
    const shift = readSigned(5);
    if (shift < 0) return ERR_BAD_LPC;
    for (let j = 0; j < order; j++) store<i32>(COEFS + ((<usize>j) << 2), readSigned(precision));
    if (overrun()) return ERR_TRUNCATED;
    const r = readResidual(s, n, order);
    if (r < 0) return r;
    restoreLpc(s, n, order, shift, precision, bps);
  } else {
    return ERR_RESERVED_SUBFRAME;
  }
  if (overrun()) return ERR_TRUNCATED;
  if (wasted > 0) {
    const end = s + ((<usize>n) << 2);
    for (let p = s; p < end; p += 4) store<i32>(p, load<i32>(p) << wasted);
  }
  return 0;
}

/** Length of the frame header at `at` (CRC-8 checked, info fields set), or ERR_NO_HEADER. */
function readHeader(at: usize, end: usize, streamBps: i32): i32 {
  if (at + 6 > end) return ERR_NO_HEADER;
  const b1 = <i32>load<u8>(at, 1);
  if (load<u8>(at) != 0xff || (b1 & 0xfe) != 0xf8) return ERR_NO_HEADER;
  const b2 = <i32>load<u8>(at, 2);
  const b3 = <i32>load<u8>(at, 3);
  const blockCode = b2 >> 4;
  const rateCode = b2 & 15;
  const channelCode = b3 >> 4;
  const bpsCode = (b3 >> 1) & 7;
  if (blockCode == 0 || rateCode == 15 || channelCode > 10 || bpsCode == 3 || b3 & 1) return ERR_NO_HEADER;
  let p = at + 4;
  // UTF-8-like coded frame or sample number: 1 to 7 bytes
  const lead = <u32>load<u8>(p);
  let extra = 0;
  let value: u64 = 0;
  if (lead < 0x80) value = lead;
  else if ((lead & 0xe0) == 0xc0) {
    extra = 1;
    value = lead & 0x1f;
  } else if ((lead & 0xf0) == 0xe0) {
    extra = 2;
    value = lead & 0x0f;
  } else if ((lead & 0xf8) == 0xf0) {
    extra = 3;
    value = lead & 0x07;
  } else if ((lead & 0xfc) == 0xf8) {
    extra = 4;
    value = lead & 0x03;
  } else if ((lead & 0xfe) == 0xfc) {
    extra = 5;
    value = lead & 0x01;
  } else if (lead == 0xfe) extra = 6;
  else return ERR_NO_HEADER;
  p++;
  if (p + <usize>extra + 4 > end) return ERR_NO_HEADER;
  for (let i = 0; i < extra; i++) {
    const c = <u32>load<u8>(p);
    if ((c & 0xc0) != 0x80) return ERR_NO_HEADER;
    value = (value << 6) | (<u64>(c & 0x3f));
    p++;
  }
  let blockSize = 0;
  if (blockCode == 1) blockSize = 192;
  else if (blockCode <= 5) blockSize = 576 << (blockCode - 2);
  else if (blockCode == 6) {
    blockSize = <i32>load<u8>(p) + 1;
    p++;
  } else if (blockCode == 7) {
    blockSize = (((<i32>load<u8>(p)) << 8) | (<i32>load<u8>(p, 1))) + 1;
    p += 2;
  } else blockSize = 256 << (blockCode - 8);
  if (rateCode == 12) p++;
  else if (rateCode == 13 || rateCode == 14) p += 2;
  if (p >= end) return ERR_NO_HEADER;
  let crc: u32 = 0;
  for (let q = at; q < p; q++) crc = <u32>load<u8>(CRC8_TABLE + <usize>(crc ^ (<u32>load<u8>(q))));
  if (crc != <u32>load<u8>(p)) return ERR_NO_HEADER;
  let bps = streamBps;
  if (bpsCode == 1) bps = 8;
  else if (bpsCode == 2) bps = 12;
  else if (bpsCode == 4) bps = 16;
  else if (bpsCode == 5) bps = 20;
  else if (bpsCode == 6) bps = 24;
  else if (bpsCode == 7) bps = 32;
  setInfo(INFO_BLOCK_SIZE, blockSize);
  setInfo(INFO_CHANNELS, channelCode < 8 ? channelCode + 1 : 2);
  setInfo(INFO_BPS, bps);
  setInfo(INFO_NUMBER_LO, <i32>value);
  setInfo(INFO_NUMBER_HI, <i32>(value >> 32));
  setInfo(INFO_VARIABLE, b1 & 1);
  setInfo(INFO_DETAIL, channelCode);
  return <i32>(p + 1 - at);
}

/**
 * Decodes the frame at address `at` (the input ends at `end`, followed by >= 256 zero bytes).
 * Writes its samples as float32, channel c at `out + 4 * (c * stride + offset)`.
 *
 * @returns the block size, or a negative ERR_* code. Info fields describe the frame.
 */
export function decodeFrame(
  at: usize,
  end: usize,
  streamBps: i32,
  streamChannels: i32,
  out: usize,
  stride: i32,
  offset: i32,
): i32 {
  setInfo(INFO_DETAIL, -1);
  const headerLength = readHeader(at, end, streamBps);
  if (headerLength < 0) return headerLength;
  const n = load<i32>(INFO + (INFO_BLOCK_SIZE << 2));
  const channels = load<i32>(INFO + (INFO_CHANNELS << 2));
  const assignment = load<i32>(INFO + (INFO_DETAIL << 2));
  const bps = load<i32>(INFO + (INFO_BPS << 2));
  setInfo(INFO_DETAIL, -1);
  if (channels != streamChannels || channels > MAX_CHANNELS) return ERR_CHANNELS;
  if (bps != streamBps || bps < 4 || bps > 24) return ERR_BPS;
  if (offset + n > stride) return ERR_NEED_SPACE;
  bitPtr = at + <usize>headerLength;
  cache = 0;
  avail = 0;
  limit = end;
  for (let c = 0; c < channels; c++) {
    // the side channel carries one more bit
    const side =
      (assignment == 8 && c == 1) || (assignment == 9 && c == 0) || (assignment == 10 && c == 1) ? 1 : 0;
    const r = readSubframe(WORK + <usize>c * WORK_STRIDE, n, bps + side);
    if (r < 0) {
      setInfo(INFO_DETAIL, c);
      return r;
    }
  }
  // zero padding to a byte boundary, then the CRC-16 footer
  readBits(avail & 7);
  readBits(16);
  const frameEnd = bitPtr - ((<usize>avail) >> 3);
  if (frameEnd > end) return ERR_TRUNCATED;
  if (crc16(at, frameEnd) != 0) return ERR_CRC16;
  setInfo(INFO_FRAME_END, <i32>frameEnd);
  const a = WORK;
  const b = WORK + WORK_STRIDE;
  const nb = (<usize>n) << 2;
  if (assignment == 8) {
    // left, side: right = left - side
    for (let i: usize = 0; i < nb; i += 4) store<i32>(b + i, load<i32>(a + i) - load<i32>(b + i));
  } else if (assignment == 9) {
    // side, right: left = side + right
    for (let i: usize = 0; i < nb; i += 4) store<i32>(a + i, load<i32>(a + i) + load<i32>(b + i));
  } else if (assignment == 10) {
    // mid, side
    for (let i: usize = 0; i < nb; i += 4) {
      const side = load<i32>(b + i);
      const mid = (load<i32>(a + i) << 1) | (side & 1);
      store<i32>(a + i, (mid + side) >> 1);
      store<i32>(b + i, (mid - side) >> 1);
    }
  }
  // Samples must fit the stream's bit depth (libFLAC rejects the frame otherwise, reporting
  // it as a CRC mismatch); the check rides along with the float conversion.
  const scale = f32x4.splat(<f32>1 / <f32>(1 << (bps - 1)));
  const lo = -(1 << (bps - 1));
  const hi = (1 << (bps - 1)) - 1;
  const lov = i32x4.splat(lo);
  const hiv = i32x4.splat(hi);
  let bad = i32x4.splat(0);
  for (let c = 0; c < channels; c++) {
    const src = WORK + <usize>c * WORK_STRIDE;
    const dst = out + ((<usize>c * <usize>stride + <usize>offset) << 2);
    let i: usize = 0;
    for (; i + 16 <= nb; i += 16) {
      const v = v128.load(src + i);
      bad = v128.or(bad, v128.or(i32x4.lt_s(v, lov), i32x4.gt_s(v, hiv)));
      v128.store(dst + i, f32x4.mul(f32x4.convert_i32x4_s(v), scale));
    }
    for (; i < nb; i += 4) {
      const v = load<i32>(src + i);
      if (v < lo || v > hi) return ERR_RANGE;
      store<f32>(dst + i, <f32>v * f32x4.extract_lane(scale, 0));
    }
  }
  if (v128.any_true(bad)) return ERR_RANGE;
  return n;
}
