// AssemblyScript source of vector180's spectrum / mel / chroma kernel (compiled by
// scripts/build-wasm.mjs into chroma-kernel.wasm.ts). Float64 WebAssembly SIMD, two lanes at a
// time, performing exactly the float64 operations of the JavaScript path in the same order (no
// fused multiply-add), so both give the same bits. No allocation: the TypeScript side
// (chroma-kernel.ts) lays every buffer out in this module's memory and passes byte addresses.

/**
 * One frame's power and magnitude spectrum from an extended float32 spectrum (see
 * Pffft.transformExtended: X[k] = (zx[2k + 4], zx[2k + 5]) for k = -1 .. nBins) with a cosine
 * window applied as a 3-tap convolution: `re = a0 Re X[k] - c (Re X[k-1] + Re X[k+1])` (im
 * alike), `power[k] = re^2 + im^2`, `mag[k] = sqrt(power[k])`, all float64. Returns the largest
 * power.
 */
export function powerMag(zx: usize, nBins: i32, a0: f64, c: f64, power: usize, mag: usize): f64 {
  const a0v = f64x2.splat(a0);
  const cv = f64x2.splat(c);
  let maxv = f64x2.splat(0);
  let k = 0;
  for (; k + 1 < nBins; k += 2) {
    // floats 2k + 2 .. 2k + 9: X[k-1], X[k], X[k+1], X[k+2] as (re, im) pairs
    const base = zx + ((<usize>(2 * k + 2)) << 2);
    const prev = v128.load(base); // X[k-1], X[k]
    const cur = v128.load(base, 8); // X[k], X[k+1]
    const next = v128.load(base, 16); // X[k+1], X[k+2]
    // lanes (bin k, bin k + 1)
    const reP = f64x2.promote_low_f32x4(v128.shuffle<f32>(prev, prev, 0, 2, 0, 2));
    const imP = f64x2.promote_low_f32x4(v128.shuffle<f32>(prev, prev, 1, 3, 1, 3));
    const reC = f64x2.promote_low_f32x4(v128.shuffle<f32>(cur, cur, 0, 2, 0, 2));
    const imC = f64x2.promote_low_f32x4(v128.shuffle<f32>(cur, cur, 1, 3, 1, 3));
    const reN = f64x2.promote_low_f32x4(v128.shuffle<f32>(next, next, 0, 2, 0, 2));
    const imN = f64x2.promote_low_f32x4(v128.shuffle<f32>(next, next, 1, 3, 1, 3));
    const re = f64x2.sub(f64x2.mul(a0v, reC), f64x2.mul(cv, f64x2.add(reP, reN)));
    const im = f64x2.sub(f64x2.mul(a0v, imC), f64x2.mul(cv, f64x2.add(imP, imN)));
    const p = f64x2.add(f64x2.mul(re, re), f64x2.mul(im, im));
    const off = (<usize>k) << 3;
    v128.store(power + off, p);
    v128.store(mag + off, f64x2.sqrt(p));
    maxv = f64x2.max(maxv, p);
  }
  let best = max<f64>(f64x2.extract_lane(maxv, 0), f64x2.extract_lane(maxv, 1));
  for (; k < nBins; k++) {
    const i = zx + ((<usize>(2 * k + 4)) << 2);
    const re = a0 * <f64>load<f32>(i) - c * (<f64>load<f32>(i - 8) + <f64>load<f32>(i + 8));
    const im = a0 * <f64>load<f32>(i + 4) - c * (<f64>load<f32>(i - 4) + <f64>load<f32>(i + 12));
    const p = re * re + im * im;
    store<f64>(power + ((<usize>k) << 3), p);
    store<f64>(mag + ((<usize>k) << 3), sqrt<f64>(p));
    if (p > best) best = p;
  }
  return best;
}

/**
 * Raw 12-bin chroma of `frames` magnitude rows (stride `bins` float64 from `mag`):
 * `out[t * 12 + c] = sum_k wT[k * 12 + c] * mag[t][k]`, each row's sum formed from bin 0 upwards
 * (the dense product's order), two rows per SIMD lane pair.
 */
export function chromaFrames(mag: usize, frames: i32, bins: i32, wT: usize, out: usize): void {
  const rowBytes = (<usize>bins) << 3;
  for (let t = 0; t < frames; t++) {
    let a0 = f64x2.splat(0);
    let a1 = f64x2.splat(0);
    let a2 = f64x2.splat(0);
    let a3 = f64x2.splat(0);
    let a4 = f64x2.splat(0);
    let a5 = f64x2.splat(0);
    let s = mag + <usize>t * rowBytes;
    let w = wT;
    for (let k = 0; k < bins; k++) {
      const x = v128.load64_splat(s);
      a0 = f64x2.add(a0, f64x2.mul(v128.load(w), x));
      a1 = f64x2.add(a1, f64x2.mul(v128.load(w, 16), x));
      a2 = f64x2.add(a2, f64x2.mul(v128.load(w, 32), x));
      a3 = f64x2.add(a3, f64x2.mul(v128.load(w, 48), x));
      a4 = f64x2.add(a4, f64x2.mul(v128.load(w, 64), x));
      a5 = f64x2.add(a5, f64x2.mul(v128.load(w, 80), x));
      s += 8;
      w += 96;
    }
    const o = out + <usize>t * 96;
    v128.store(o, a0);
    v128.store(o, a1, 16);
    v128.store(o, a2, 32);
    v128.store(o, a3, 48);
    v128.store(o, a4, 64);
    v128.store(o, a5, 80);
  }
}

/**
 * One frame of the mel bank in bin-pair form (see BinPairs in filters.ts): bin `first + j` adds
 * `lu[2j] * power` to filter `index[j]` and `lu[2j + 1] * power` to filter `index[j] + 1`. The two
 * running sums travel as one f64x2 (lower, upper) and are carried from run to run (runs of equal
 * index start at `segStart`), so each filter's sum is formed in bin order, exactly as the
 * JavaScript path forms it. Writes `rows` float64 to `out` (filters without bins: 0).
 */
export function melPairs(
  power: usize,
  first: i32,
  index: usize,
  lu: usize,
  segStart: usize,
  runs: i32,
  out: usize,
  rows: i32,
): void {
  memory.fill(out, 0, (<usize>rows) << 3);
  let current = load<i32>(index);
  let acc = f64x2.splat(0); // (filter current, filter current + 1)
  for (let r = 0; r < runs; r++) {
    const a = load<i32>(segStart + ((<usize>r) << 2));
    const b = load<i32>(segStart + ((<usize>(r + 1)) << 2));
    const m = load<i32>(index + ((<usize>a) << 2));
    if (m != current) {
      store<f64>(out + ((<usize>current) << 3), f64x2.extract_lane(acc, 0));
      if (m == current + 1) acc = v128.shuffle<f64>(acc, f64x2.splat(0), 1, 2);
      else {
        store<f64>(out + ((<usize>(current + 1)) << 3), f64x2.extract_lane(acc, 1));
        acc = f64x2.splat(0);
      }
      current = m;
    }
    let w = lu + ((<usize>a) << 4);
    let p = power + ((<usize>(first + a)) << 3);
    for (let j = a; j < b; j++) {
      acc = f64x2.add(acc, f64x2.mul(v128.load(w), v128.load64_splat(p)));
      w += 16;
      p += 8;
    }
  }
  store<f64>(out + ((<usize>current) << 3), f64x2.extract_lane(acc, 0));
  store<f64>(out + ((<usize>(current + 1)) << 3), f64x2.extract_lane(acc, 1));
}
