// Random halves of a development set, for checks that fit a choice on one half and score it on
// the other (mixing weights, decision offsets).

/**
 * Indices 0..n-1 in a random order (Fisher-Yates driven by `random`), dealt alternately into two
 * halves: sizes ceil(n / 2) and floor(n / 2).
 * @param random - a generator of uniforms in [0, 1), e.g. `mulberry32(seed)`; consumes n - 1 draws.
 */
export function randomHalves(n: number, random: { next(): number }): [number[], number[]] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return [order.filter((_, i) => i % 2 === 0), order.filter((_, i) => i % 2 === 1)];
}

/**
 * Rows `idx` of row-major probabilities `p` [rows, k].
 * @returns [idx.length, k], row-major.
 */
export function takeRows(p: Float32Array, idx: readonly number[], k: number): Float32Array {
  return Float32Array.from({ length: idx.length * k }, (_, j) => p[idx[Math.floor(j / k)] * k + (j % k)]);
}
