// AssemblyScript source of the MFCC kernel (compiled by scripts/build-wasm.mjs into
// mel-kernel.wasm.ts). Float32 WebAssembly SIMD, no allocation: every buffer is laid out by the
// TypeScript side (mel-kernel.ts) in this module's own memory and passed as a byte address.

// 10 / ln(10): 10 log10(x) = DB_PER_LN * ln(x)
const DB_PER_LN: f32 = 4.342944819032518;
const SQRT_HALF: f32 = 0.7071067811865476;

/**
 * Natural log of four positive normal floats (Cephes logf: frexp, then a degree-9 polynomial on
 * [sqrt(1/2) - 1, sqrt(2) - 1]), about 1 ulp.
 */
function log4(x: v128): v128 {
  let e = i32x4.sub(i32x4.shr_u(x, 23), i32x4.splat(126));
  const m = v128.or(v128.and(x, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const below = f32x4.lt(m, f32x4.splat(SQRT_HALF));
  e = i32x4.add(e, below); // below is -1 where m < sqrt(1/2): halve the exponent's share
  const v = f32x4.add(f32x4.sub(m, f32x4.splat(1)), v128.and(below, m));
  const z = f32x4.mul(v, v);
  let y = f32x4.splat(7.0376836292e-2);
  y = f32x4.add(f32x4.mul(y, v), f32x4.splat(-1.151461031e-1));
  y = f32x4.add(f32x4.mul(y, v), f32x4.splat(1.167699874e-1));
  y = f32x4.add(f32x4.mul(y, v), f32x4.splat(-1.2420140846e-1));
  y = f32x4.add(f32x4.mul(y, v), f32x4.splat(1.4249322787e-1));
  y = f32x4.add(f32x4.mul(y, v), f32x4.splat(-1.6668057665e-1));
  y = f32x4.add(f32x4.mul(y, v), f32x4.splat(2.0000714765e-1));
  y = f32x4.add(f32x4.mul(y, v), f32x4.splat(-2.4999993993e-1));
  y = f32x4.add(f32x4.mul(y, v), f32x4.splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, v), z);
  const fe = f32x4.convert_i32x4_s(e);
  y = f32x4.add(y, f32x4.mul(fe, f32x4.splat(-2.1219444e-4)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  return f32x4.add(f32x4.add(v, y), f32x4.mul(fe, f32x4.splat(0.693359375)));
}

/**
 * One frame: cosine window applied to the spectrum as a 3-tap convolution, |.|^2, the mel bank
 * (filter m: `lens[m]` weights, a multiple of 4, from bin `starts[m]`), then
 * `10 log10(max(amin, mel))` into `out` (nMelsPad floats). Returns the row's maximum.
 *
 * `zx`: extended spectrum, X[k] = (zx[2k + 4], zx[2k + 5]) for k = -1 .. nBins, zero beyond.
 * Window: `g |X[k] - q (X[k-1] + X[k+1])|^2`. `power`: scratch of roundUp4(nBins) floats.
 */
export function melDbFrame(
  zx: usize,
  nBins: i32,
  q: f32,
  g: f32,
  power: usize,
  nMelsPad: i32,
  starts: usize,
  lens: usize,
  weights: usize,
  amin: f32,
  out: usize,
): f32 {
  const qv = f32x4.splat(q);
  const gv = f32x4.splat(g);
  for (let k = 0; k < nBins; k += 4) {
    const base = zx + ((<usize>(2 * k + 4)) << 2);
    const a = v128.load(base);
    const b = v128.load(base, 16);
    const ap = v128.load(base - 8);
    const an = v128.load(base, 8);
    const bn = v128.load(base, 24);
    const wa = f32x4.sub(a, f32x4.mul(qv, f32x4.add(ap, an)));
    const wb = f32x4.sub(b, f32x4.mul(qv, f32x4.add(an, bn)));
    const sa = f32x4.mul(wa, wa);
    const sb = f32x4.mul(wb, wb);
    const re = v128.shuffle<f32>(sa, sb, 0, 2, 4, 6);
    const im = v128.shuffle<f32>(sa, sb, 1, 3, 5, 7);
    v128.store(power + ((<usize>k) << 2), f32x4.mul(f32x4.add(re, im), gv));
  }
  let w = weights;
  for (let m = 0; m < nMelsPad; m++) {
    const s = load<i32>(starts + ((<usize>m) << 2));
    const n = load<i32>(lens + ((<usize>m) << 2));
    let p = power + ((<usize>s) << 2);
    let acc = f32x4.splat(0);
    for (let j = 0; j < n; j += 4) {
      acc = f32x4.add(acc, f32x4.mul(v128.load(w), v128.load(p)));
      w += 16;
      p += 16;
    }
    const sum =
      f32x4.extract_lane(acc, 0) +
      f32x4.extract_lane(acc, 1) +
      (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
    store<f32>(out + ((<usize>m) << 2), sum);
  }
  const aminv = f32x4.splat(amin);
  const db = f32x4.splat(DB_PER_LN);
  let maxv = f32x4.splat(-Infinity);
  for (let m = 0; m < nMelsPad; m += 4) {
    const ptr = out + ((<usize>m) << 2);
    const d = f32x4.mul(db, log4(f32x4.max(v128.load(ptr), aminv)));
    v128.store(ptr, d);
    maxv = f32x4.max(maxv, d);
  }
  return max(
    max(f32x4.extract_lane(maxv, 0), f32x4.extract_lane(maxv, 1)),
    max(f32x4.extract_lane(maxv, 2), f32x4.extract_lane(maxv, 3)),
  );
}

/**
 * DCT of `frames` log-mel rows (stride nMelsPad floats, clipped below at `floor` in place):
 * `out[t * nOut + k] = sum_i basis[i * nOutPad + k] * max(floor, logmel[t][i])`, four
 * coefficients per step (writes up to nOutPad - nOut floats past each row; the caller leaves
 * room after the last one and rows are written in order).
 */
export function dctFrames(
  logmel: usize,
  frames: i32,
  nMelsPad: i32,
  floor: f32,
  basis: usize,
  nOutPad: i32,
  out: usize,
  nOut: i32,
): void {
  const fv = f32x4.splat(floor);
  const rowBytes = (<usize>nMelsPad) << 2;
  const colBytes = (<usize>nOutPad) << 2;
  for (let t = 0; t < frames; t++) {
    const row = logmel + <usize>t * rowBytes;
    for (let i = 0; i < nMelsPad; i += 4) {
      const ptr = row + ((<usize>i) << 2);
      v128.store(ptr, f32x4.max(v128.load(ptr), fv));
    }
    const o = out + ((<usize>(t * nOut)) << 2);
    for (let kb = 0; kb < nOutPad; kb += 8) {
      let acc0 = f32x4.splat(0);
      let acc1 = f32x4.splat(0);
      let bp = basis + ((<usize>kb) << 2);
      for (let i = 0; i < nMelsPad; i++) {
        const x = v128.load32_splat(row + ((<usize>i) << 2));
        acc0 = f32x4.add(acc0, f32x4.mul(v128.load(bp), x));
        acc1 = f32x4.add(acc1, f32x4.mul(v128.load(bp, 16), x));
        bp += colBytes;
      }
      v128.store(o + ((<usize>kb) << 2), acc0);
      v128.store(o + ((<usize>kb) << 2), acc1, 16);
    }
  }
}
