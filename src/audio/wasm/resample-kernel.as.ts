// AssemblyScript source of the polyphase resampling kernel (compiled by scripts/build-wasm.mjs
// into resample-kernel.wasm.ts). Float32 WebAssembly SIMD, no allocation: the filter table,
// the (zero-padded) input and the output are laid out by resample.ts in this module's memory
// and passed as byte addresses. Each output is one dot product of `taps` input samples with one
// row of the table; `taps` is a multiple of 8 (the table is zero-padded).

/**
 * Dot product of `taps` floats at `x` and `c` (taps a multiple of 8): four 4-lane accumulators
 * over 16 taps per step, then one 8-tap step when taps is not a multiple of 16.
 */
function dot(x: usize, c: usize, taps: i32): v128 {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  const end16 = c + ((<usize>(taps & ~15)) << 2);
  while (c < end16) {
    a0 = f32x4.add(a0, f32x4.mul(v128.load(x), v128.load(c)));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(x, 16), v128.load(c, 16)));
    a2 = f32x4.add(a2, f32x4.mul(v128.load(x, 32), v128.load(c, 32)));
    a3 = f32x4.add(a3, f32x4.mul(v128.load(x, 48), v128.load(c, 48)));
    x += 64;
    c += 64;
  }
  if (taps & 8) {
    a0 = f32x4.add(a0, f32x4.mul(v128.load(x), v128.load(c)));
    a1 = f32x4.add(a1, f32x4.mul(v128.load(x, 16), v128.load(c, 16)));
  }
  return f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
}

function lanes(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}

/** The lane sums of four vectors as one vector: [sum a, sum b, sum c, sum d]. */
function lanes4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 1, 4, 5), v128.shuffle<f32>(a, b, 2, 3, 6, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 1, 4, 5), v128.shuffle<f32>(c, d, 2, 3, 6, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 2, 4, 6), v128.shuffle<f32>(ab, cd, 1, 3, 5, 7));
}

/**
 * Rational ratio L / M, exact phases: output j uses input samples from index `k` (into `x`)
 * and table row `row`; between outputs the row advances by M (mod L) and `k` by M div L, plus
 * one when the row wraps. Four outputs per step share one horizontal reduction.
 */
export function polyExact(
  x: usize,
  table: usize,
  taps: i32,
  L: i32,
  mDiv: i32,
  mMod: i32,
  k: i32,
  row: i32,
  count: i32,
  out: usize,
): void {
  const rowBytes = (<usize>taps) << 2;
  let j = 0;
  for (; j + 4 <= count; j += 4) {
    const s0 = dot(x + ((<usize>k) << 2), table + <usize>row * rowBytes, taps);
    row += mMod;
    k += mDiv;
    if (row >= L) {
      row -= L;
      k++;
    }
    const s1 = dot(x + ((<usize>k) << 2), table + <usize>row * rowBytes, taps);
    row += mMod;
    k += mDiv;
    if (row >= L) {
      row -= L;
      k++;
    }
    const s2 = dot(x + ((<usize>k) << 2), table + <usize>row * rowBytes, taps);
    row += mMod;
    k += mDiv;
    if (row >= L) {
      row -= L;
      k++;
    }
    const s3 = dot(x + ((<usize>k) << 2), table + <usize>row * rowBytes, taps);
    row += mMod;
    k += mDiv;
    if (row >= L) {
      row -= L;
      k++;
    }
    v128.store(out + ((<usize>j) << 2), lanes4(s0, s1, s2, s3));
  }
  for (; j < count; j++) {
    const s = dot(x + ((<usize>k) << 2), table + <usize>row * rowBytes, taps);
    store<f32>(out + ((<usize>j) << 2), lanes(s));
    row += mMod;
    k += mDiv;
    if (row >= L) {
      row -= L;
      k++;
    }
  }
}

/**
 * Any ratio, interpolated phases: output n = n0 + j sits at input position p = n * step; with
 * k0 = floor(p) and phase (p - k0) * phases = q + a (q integer), it is
 * (1 - a) row(q) + a row(q + 1), both rows over input samples from index k0 + base.
 */
export function polyInterp(
  x: usize,
  table: usize,
  taps: i32,
  phases: i32,
  step: f64,
  n0: f64,
  base: i32,
  count: i32,
  out: usize,
): void {
  const rowBytes = (<usize>taps) << 2;
  const ph = <f64>phases;
  let j = 0;
  let pos: f64, k0: f64, phase: f64, q: f64;
  let start: usize, row: usize;
  // four outputs per step: their weights a go through the output slots, their dot products
  // through one horizontal reduction
  for (; j + 4 <= count; j += 4) {
    const o = out + ((<usize>j) << 2);
    pos = (n0 + <f64>(j + 0)) * step;
    k0 = Math.floor(pos);
    phase = (pos - k0) * ph;
    q = Math.floor(phase);
    store<f32>(o, <f32>(phase - q), 0);
    start = x + ((<usize>(<i32>k0 + base)) << 2);
    row = table + <usize>(<i32>q) * rowBytes;
    const d0 = dot(start, row, taps);
    const e0 = dot(start, row + rowBytes, taps);
    pos = (n0 + <f64>(j + 1)) * step;
    k0 = Math.floor(pos);
    phase = (pos - k0) * ph;
    q = Math.floor(phase);
    store<f32>(o, <f32>(phase - q), 4);
    start = x + ((<usize>(<i32>k0 + base)) << 2);
    row = table + <usize>(<i32>q) * rowBytes;
    const d1 = dot(start, row, taps);
    const e1 = dot(start, row + rowBytes, taps);
    pos = (n0 + <f64>(j + 2)) * step;
    k0 = Math.floor(pos);
    phase = (pos - k0) * ph;
    q = Math.floor(phase);
    store<f32>(o, <f32>(phase - q), 8);
    start = x + ((<usize>(<i32>k0 + base)) << 2);
    row = table + <usize>(<i32>q) * rowBytes;
    const d2 = dot(start, row, taps);
    const e2 = dot(start, row + rowBytes, taps);
    pos = (n0 + <f64>(j + 3)) * step;
    k0 = Math.floor(pos);
    phase = (pos - k0) * ph;
    q = Math.floor(phase);
    store<f32>(o, <f32>(phase - q), 12);
    start = x + ((<usize>(<i32>k0 + base)) << 2);
    row = table + <usize>(<i32>q) * rowBytes;
    const d3 = dot(start, row, taps);
    const e3 = dot(start, row + rowBytes, taps);
    const s0 = lanes4(d0, d1, d2, d3);
    const s1 = lanes4(e0, e1, e2, e3);
    v128.store(o, f32x4.add(s0, f32x4.mul(v128.load(o), f32x4.sub(s1, s0))));
  }
  for (; j < count; j++) {
    pos = (n0 + <f64>j) * step;
    k0 = Math.floor(pos);
    phase = (pos - k0) * ph;
    q = Math.floor(phase);
    const a = <f32>(phase - q);
    start = x + ((<usize>(<i32>k0 + base)) << 2);
    row = table + <usize>(<i32>q) * rowBytes;
    const s0 = lanes(dot(start, row, taps));
    const s1 = lanes(dot(start, row + rowBytes, taps));
    store<f32>(out + ((<usize>j) << 2), s0 + a * (s1 - s0));
  }
}

// ---- FFT filtering (overlap-save) for the sharp stage ----

/**
 * Complex forward FFT, X[k] = sum_j x[j] e^(-2 pi i jk / n), of n = 2^m >= 8 points, Stockham
 * radix-2 then radix-4 (natural order in and out). Arrays are split: real parts at `aRe`,
 * imaginary at `aIm`; `bRe` / `bIm` are scratch of the same size. `tw` holds the twiddles
 * e^(-2 pi i k / (2 Ns)) for every stage size Ns at index Ns + k (real parts at tw, imaginary at
 * tw + 4 * twSize), then e^(-2 pi i 3k / (4 Ns)) the same way (at tw + 8 * twSize), so one table
 * of size >= n serves every smaller n. Returns 0 when the result is in a, 1 when in b.
 */
export function fft(
  aRe: usize,
  aIm: usize,
  bRe: usize,
  bIm: usize,
  n: i32,
  tw: usize,
  twSize: i32,
  tw3: usize,
): i32 {
  // n = p or 3 p, p a power of two: radix-2/4 stages up to Ns = p, then one radix-3 stage
  const p = n % 3 == 0 ? n / 3 : n;
  let sRe = aRe;
  let sIm = aIm;
  let dRe = bRe;
  let dIm = bIm;
  const hb = (<usize>(n >> 1)) << 2;
  const twIm = tw + ((<usize>twSize) << 2);
  // Ns = 1: no twiddles; out[2j] = a + b, out[2j + 1] = a - b
  for (let jb: usize = 0; jb < hb; jb += 16) {
    const ar = v128.load(sRe + jb);
    const ai = v128.load(sIm + jb);
    const br = v128.load(sRe + hb + jb);
    const bi = v128.load(sIm + hb + jb);
    const sr = f32x4.add(ar, br);
    const si = f32x4.add(ai, bi);
    const dr = f32x4.sub(ar, br);
    const di = f32x4.sub(ai, bi);
    const o = jb << 1;
    v128.store(dRe + o, v128.shuffle<f32>(sr, dr, 0, 4, 1, 5));
    v128.store(dRe + o, v128.shuffle<f32>(sr, dr, 2, 6, 3, 7), 16);
    v128.store(dIm + o, v128.shuffle<f32>(si, di, 0, 4, 1, 5));
    v128.store(dIm + o, v128.shuffle<f32>(si, di, 2, 6, 3, 7), 16);
  }
  let t = sRe;
  sRe = dRe;
  dRe = t;
  t = sIm;
  sIm = dIm;
  dIm = t;
  // Ns = 2: twiddles 1, -i for k = 0, 1; out[2j - k] = a + wb, out[2j - k + 2] = a - wb
  for (let jb: usize = 0; jb < hb; jb += 16) {
    const ar = v128.load(sRe + jb);
    const ai = v128.load(sIm + jb);
    const br = v128.load(sRe + hb + jb);
    const bi = v128.load(sIm + hb + jb);
    const tr = v128.shuffle<f32>(br, bi, 0, 5, 2, 7);
    const ti = v128.shuffle<f32>(bi, f32x4.neg(br), 0, 5, 2, 7);
    const sr = f32x4.add(ar, tr);
    const si = f32x4.add(ai, ti);
    const dr = f32x4.sub(ar, tr);
    const di = f32x4.sub(ai, ti);
    const o = jb << 1;
    v128.store(dRe + o, v128.shuffle<f32>(sr, dr, 0, 1, 4, 5));
    v128.store(dRe + o, v128.shuffle<f32>(sr, dr, 2, 3, 6, 7), 16);
    v128.store(dIm + o, v128.shuffle<f32>(si, di, 0, 1, 4, 5));
    v128.store(dIm + o, v128.shuffle<f32>(si, di, 2, 3, 6, 7), 16);
  }
  t = sRe;
  sRe = dRe;
  dRe = t;
  t = sIm;
  sIm = dIm;
  dIm = t;
  let swaps = 0;
  let ns = 4;
  // radix-4 stages (Ns -> 4 Ns): twiddles w^k, w^2k, w^3k with w = e^(-2 pi i / (4 Ns));
  // w^k and w^2k are the radix-2 table's entries 2 Ns + k and Ns + k, w^3k is at Ns + k of the
  // second table (at tw + 8 * twSize)
  const qb = (<usize>(n >> 2)) << 2;
  const w3Re = tw + ((<usize>twSize) << 3);
  const w3Im = w3Re + ((<usize>twSize) << 2);
  for (; ns * 4 <= p; ns <<= 2) {
    const nsb = (<usize>ns) << 2;
    const mask = nsb - 1;
    for (let jb: usize = 0; jb < qb; jb += 16) {
      const kb = jb & mask;
      const w1r = v128.load(tw + (nsb << 1) + kb);
      const w1i = v128.load(twIm + (nsb << 1) + kb);
      const w2r = v128.load(tw + nsb + kb);
      const w2i = v128.load(twIm + nsb + kb);
      const w3r = v128.load(w3Re + nsb + kb);
      const w3i = v128.load(w3Im + nsb + kb);
      const v0r = v128.load(sRe + jb);
      const v0i = v128.load(sIm + jb);
      let xr = v128.load(sRe + qb + jb);
      let xi = v128.load(sIm + qb + jb);
      const v1r = f32x4.sub(f32x4.mul(xr, w1r), f32x4.mul(xi, w1i));
      const v1i = f32x4.add(f32x4.mul(xr, w1i), f32x4.mul(xi, w1r));
      xr = v128.load(sRe + 2 * qb + jb);
      xi = v128.load(sIm + 2 * qb + jb);
      const v2r = f32x4.sub(f32x4.mul(xr, w2r), f32x4.mul(xi, w2i));
      const v2i = f32x4.add(f32x4.mul(xr, w2i), f32x4.mul(xi, w2r));
      xr = v128.load(sRe + 3 * qb + jb);
      xi = v128.load(sIm + 3 * qb + jb);
      const v3r = f32x4.sub(f32x4.mul(xr, w3r), f32x4.mul(xi, w3i));
      const v3i = f32x4.add(f32x4.mul(xr, w3i), f32x4.mul(xi, w3r));
      const a0r = f32x4.add(v0r, v2r);
      const a0i = f32x4.add(v0i, v2i);
      const a1r = f32x4.sub(v0r, v2r);
      const a1i = f32x4.sub(v0i, v2i);
      const a2r = f32x4.add(v1r, v3r);
      const a2i = f32x4.add(v1i, v3i);
      // (v1 - v3) * (-i)
      const a3r = f32x4.sub(v1i, v3i);
      const a3i = f32x4.sub(v3r, v1r);
      const o = (jb << 2) - 3 * kb;
      v128.store(dRe + o, f32x4.add(a0r, a2r));
      v128.store(dIm + o, f32x4.add(a0i, a2i));
      v128.store(dRe + o + nsb, f32x4.add(a1r, a3r));
      v128.store(dIm + o + nsb, f32x4.add(a1i, a3i));
      v128.store(dRe + o + 2 * nsb, f32x4.sub(a0r, a2r));
      v128.store(dIm + o + 2 * nsb, f32x4.sub(a0i, a2i));
      v128.store(dRe + o + 3 * nsb, f32x4.sub(a1r, a3r));
      v128.store(dIm + o + 3 * nsb, f32x4.sub(a1i, a3i));
    }
    t = sRe;
    sRe = dRe;
    dRe = t;
    t = sIm;
    sIm = dIm;
    dIm = t;
    swaps++;
  }
  // a last radix-2 stage when log2(p) is odd
  for (; ns < p; ns <<= 1) {
    const nsb = (<usize>ns) << 2;
    const mask = nsb - 1;
    for (let jb: usize = 0; jb < hb; jb += 16) {
      const kb = jb & mask;
      const wr = v128.load(tw + nsb + kb);
      const wi = v128.load(twIm + nsb + kb);
      const ar = v128.load(sRe + jb);
      const ai = v128.load(sIm + jb);
      const br = v128.load(sRe + hb + jb);
      const bi = v128.load(sIm + hb + jb);
      const tr = f32x4.sub(f32x4.mul(br, wr), f32x4.mul(bi, wi));
      const ti = f32x4.add(f32x4.mul(br, wi), f32x4.mul(bi, wr));
      const o = (jb << 1) - kb;
      v128.store(dRe + o, f32x4.add(ar, tr));
      v128.store(dIm + o, f32x4.add(ai, ti));
      v128.store(dRe + o + nsb, f32x4.sub(ar, tr));
      v128.store(dIm + o + nsb, f32x4.sub(ai, ti));
    }
    t = sRe;
    sRe = dRe;
    dRe = t;
    t = sIm;
    sIm = dIm;
    dIm = t;
    swaps++;
  }
  if (p != n) {
    // radix-3 stage, Ns = p: out[k + r p] = sum_m v_m w^(mk) e^(-2 pi i r m / 3), w = e^(-2 pi i / (3 p));
    // tw3 holds w^k (real, imaginary) then w^2k, p values each
    const pb = (<usize>p) << 2;
    const half = f32x4.splat(0.5);
    const sin3 = f32x4.splat(0.8660254037844386);
    for (let kb: usize = 0; kb < pb; kb += 16) {
      const w1r = v128.load(tw3 + kb);
      const w1i = v128.load(tw3 + pb + kb);
      const w2r = v128.load(tw3 + 2 * pb + kb);
      const w2i = v128.load(tw3 + 3 * pb + kb);
      const v0r = v128.load(sRe + kb);
      const v0i = v128.load(sIm + kb);
      let xr = v128.load(sRe + pb + kb);
      let xi = v128.load(sIm + pb + kb);
      const t1r = f32x4.sub(f32x4.mul(xr, w1r), f32x4.mul(xi, w1i));
      const t1i = f32x4.add(f32x4.mul(xr, w1i), f32x4.mul(xi, w1r));
      xr = v128.load(sRe + 2 * pb + kb);
      xi = v128.load(sIm + 2 * pb + kb);
      const t2r = f32x4.sub(f32x4.mul(xr, w2r), f32x4.mul(xi, w2i));
      const t2i = f32x4.add(f32x4.mul(xr, w2i), f32x4.mul(xi, w2r));
      const ar = f32x4.add(t1r, t2r);
      const ai = f32x4.add(t1i, t2i);
      const br = f32x4.mul(sin3, f32x4.sub(t1r, t2r));
      const bi = f32x4.mul(sin3, f32x4.sub(t1i, t2i));
      const mr = f32x4.sub(v0r, f32x4.mul(half, ar));
      const mi = f32x4.sub(v0i, f32x4.mul(half, ai));
      v128.store(dRe + kb, f32x4.add(v0r, ar));
      v128.store(dIm + kb, f32x4.add(v0i, ai));
      v128.store(dRe + pb + kb, f32x4.add(mr, bi));
      v128.store(dIm + pb + kb, f32x4.sub(mi, br));
      v128.store(dRe + 2 * pb + kb, f32x4.sub(mr, bi));
      v128.store(dIm + 2 * pb + kb, f32x4.add(mi, br));
    }
    swaps++;
  }
  return swaps & 1 ? 1 : 0;
}

/** floor(a / b) for b > 0. */
function floorDiv(a: i32, b: i32): i32 {
  const q = a / b;
  return q * b > a ? q - 1 : q;
}

/**
 * The sharp stage by FFT (overlap-save): upsample by U (1 or 2) by zero-stuffing, filter with
 * the zero-phase FIR whose real spectrum (M = U * N points, scaled by 1 / M) is at `spec`, keep
 * every D-th sample. Input block b (N samples) starts at x + 4 * b * S; its outputs at the
 * U-times rate m in [mFirst + U b S, mFirst + U (b + 1) S) sit at offset U * P in its inverse
 * transform. Two blocks share one complex transform (one as the real part, one as the
 * imaginary part: the filter is real). Writes mid[j - first] = y[j * D] for j in [first, end).
 * With `fold` = D > 1 (U = 1, N, P and S multiples of D, mFirst = first * D) the spectrum is
 * folded so the inverse transform is D times shorter; N may then be 3 times a power of two
 * (radix-3 twiddles at `tw3`).
 * `work`: 4 arrays of M floats, 64 bytes apart (16 M + 192 bytes).
 */
export function fftFilter(
  x: usize,
  blocks: i32,
  N: i32,
  S: i32,
  P: i32,
  U: i32,
  D: i32,
  spec: usize,
  tw: usize,
  twSize: i32,
  work: usize,
  mFirst: i32,
  first: i32,
  end: i32,
  mid: usize,
  fold: i32,
  tw3: usize,
): void {
  const M = U * N;
  const mb = (<usize>M) << 2;
  const nb = (<usize>N) << 2;
  // 64 bytes between the arrays: no two of them 4 KiB-aliased (a store-to-load stall)
  const aRe = work;
  const aIm = work + mb + 64;
  const bRe = work + 2 * mb + 128;
  const bIm = work + 3 * mb + 192;
  for (let b = 0; b < blocks; b += 2) {
    memory.copy(aRe, x + ((<usize>(b * S)) << 2), nb);
    memory.copy(aIm, x + ((<usize>((b + 1) * S)) << 2), nb);
    const z = fft(aRe, aIm, bRe, bIm, N, tw, twSize, tw3);
    const zRe = z ? bRe : aRe;
    const zIm = z ? bIm : aIm;
    const yRe = z ? aRe : bRe;
    const yIm = z ? aIm : bIm;
    if (fold > 1) {
      // keep every fold-th sample by folding the spectrum: an inverse transform fold times
      // shorter; out[k] = sum_r conj(Z[k + r N / fold] H[k + r N / fold])
      const fb = (<usize>(N / fold)) << 2;
      for (let kb: usize = 0; kb < fb; kb += 16) {
        let accR = f32x4.splat(0);
        let accI = f32x4.splat(0);
        for (let off: usize = 0; off < nb; off += fb) {
          const h = v128.load(spec + off + kb);
          accR = f32x4.add(accR, f32x4.mul(v128.load(zRe + off + kb), h));
          accI = f32x4.add(accI, f32x4.mul(v128.load(zIm + off + kb), h));
        }
        v128.store(yRe + kb, accR);
        v128.store(yIm + kb, f32x4.neg(accI));
      }
      const w = fft(yRe, yIm, zRe, zIm, N / fold, tw, twSize, 0);
      const oRe = w ? zRe : yRe;
      const oIm = w ? zIm : yIm;
      for (let half = 0; half < 2; half++) {
        const src = half ? oIm : oRe;
        const sign: f32 = half ? -1 : 1;
        // output j = first + ((b + half) S - P) / fold + jj, from folded index jj
        const base = first + ((b + half) * S - P) / fold;
        const jjEnd = (P + S) / fold;
        for (let jj = P / fold; jj < jjEnd; jj++) {
          const j = base + jj;
          if (j >= first && j < end)
            store<f32>(mid + ((<usize>(j - first)) << 2), sign * load<f32>(src + ((<usize>jj) << 2)));
        }
      }
      continue;
    }
    // conj(Z[k mod N] * H[k]): the forward FFT of it is M times the conjugated inverse
    for (let r = 0; r < U; r++) {
      const off = <usize>r * nb;
      for (let kb: usize = 0; kb < nb; kb += 16) {
        const h = v128.load(spec + off + kb);
        v128.store(yRe + off + kb, f32x4.mul(v128.load(zRe + kb), h));
        v128.store(yIm + off + kb, f32x4.neg(f32x4.mul(v128.load(zIm + kb), h)));
      }
    }
    const w = fft(yRe, yIm, zRe, zIm, M, tw, twSize, 0);
    const oRe = w ? zRe : yRe;
    const oIm = w ? zIm : yIm;
    for (let half = 0; half < 2; half++) {
      const src = half ? oIm : oRe;
      const sign: f32 = half ? -1 : 1;
      const mStart = mFirst + U * (b + half) * S;
      let j = max(first, floorDiv(mStart + D - 1, D));
      const jEnd = min(end, floorDiv(mStart + U * S + D - 1, D));
      for (; j < jEnd; j++) {
        const local = j * D - mStart + U * P;
        store<f32>(mid + ((<usize>(j - first)) << 2), sign * load<f32>(src + ((<usize>local) << 2)));
      }
    }
  }
}
