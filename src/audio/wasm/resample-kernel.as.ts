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
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/**
 * Rational ratio L / M, exact phases: output j uses input samples from index `k` (into `x`)
 * and table row `row`; between outputs the row advances by M (mod L) and `k` by M div L, plus
 * one when the row wraps.
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
  for (let j = 0; j < count; j++) {
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
  for (let j = 0; j < count; j++) {
    const pos = (n0 + <f64>j) * step;
    const k0 = Math.floor(pos);
    const phase = (pos - k0) * <f64>phases;
    const q = Math.floor(phase);
    const a = <f32>(phase - q);
    const start = x + ((<usize>(<i32>k0 + base)) << 2);
    const row = table + <usize>(<i32>q) * rowBytes;
    const s0 = lanes(dot(start, row, taps));
    const s1 = lanes(dot(start, row + rowBytes, taps));
    store<f32>(out + ((<usize>j) << 2), s0 + a * (s1 - s0));
  }
}
