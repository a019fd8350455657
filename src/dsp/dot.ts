/**
 * sum_i a[aOff + i] * b[i] for i < n, with four independent accumulators: a single running sum
 * is bound by floating-point add latency, four chains let the CPU overlap them.
 */
export function dot(a: Float64Array, aOff: number, b: Float64Array, n: number): number {
  return dotAt(a, aOff, b, 0, n);
}

/** sum_i a[aOff + i] * b[bOff + i] for i < n (four accumulators, see {@link dot}). */
export function dotAt(a: Float64Array, aOff: number, b: Float64Array, bOff: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[aOff + i] * b[bOff + i];
    s1 += a[aOff + i + 1] * b[bOff + i + 1];
    s2 += a[aOff + i + 2] * b[bOff + i + 2];
    s3 += a[aOff + i + 3] * b[bOff + i + 3];
  }
  for (; i < n; i++) s0 += a[aOff + i] * b[bOff + i];
  return s0 + s1 + (s2 + s3);
}
