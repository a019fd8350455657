/**
 * Floating-point sums in numpy's order (`np.add.reduce` on a contiguous float64 array:
 * 0.0 plus an 8-way unrolled pairwise sum in blocks of 128), so that means and averages equal
 * scikit-learn's to the last bit and reports round the same way at .xx5 ties.
 */

const BLOCK = 128;

function pairwise(values: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = -0;
    for (let i = 0; i < n; i++) res += values[start + i];
    return res;
  }
  if (n <= BLOCK) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = values[start + j];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += values[start + i + j];
    }
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += values[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(values, start, n2) + pairwise(values, start + n2, n - n2);
}

/** Sum of `values` in numpy's order (`np.sum` on float64). 0 for an empty array. */
export function numpySum(values: ArrayLike<number>): number {
  return 0 + pairwise(values, 0, values.length);
}

/** Mean in numpy's order (`np.mean`); NaN for an empty array, as numpy. */
export function numpyMean(values: ArrayLike<number>): number {
  return numpySum(values) / values.length;
}

/** Weighted mean `np.average(values, weights=weights)`: sum(v*w) / sum(w), both in numpy's order. */
export function numpyWeightedMean(values: ArrayLike<number>, weights: ArrayLike<number>): number {
  const products = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) products[i] = values[i] * weights[i];
  return numpySum(products) / numpySum(weights);
}

/** Population standard deviation `np.std(values)` (ddof = 0), in numpy's order. */
export function numpyStd(values: ArrayLike<number>): number {
  const mean = numpyMean(values);
  const squares = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - mean;
    squares[i] = d * d;
  }
  return Math.sqrt(numpySum(squares) / values.length);
}
