/**
 * Number formatting with Python's rules, so text reports match scikit-learn's byte for byte.
 */

/**
 * `format(x, f'.{digits}f')` in Python: fixed-point, rounding the exact binary value to nearest
 * and, on an exact tie (0.125 to 2 digits), to the even last digit. JavaScript's `toFixed` rounds
 * ties up instead, so ties are detected from the exact decimal expansion and fixed here. NaN and
 * infinities print as Python does ("nan", "inf", "-inf").
 */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x < 0 || Object.is(x, -0)) {
    const body = formatFixed(-x, digits);
    return '-' + body;
  }
  // toFixed switches to exponent notation from 1e21; such doubles are integers.
  if (x >= 1e21) return BigInt(x).toString() + (digits > 0 ? '.' + '0'.repeat(digits) : '');
  const rounded = x.toFixed(digits);
  // A tie needs the expansion to end right after one more digit, a 5: a dyadic rational with at
  // most digits + 1 decimals, exactly visible in a longer toFixed expansion.
  const long = x.toFixed(Math.min(100, digits + 25));
  const point = long.indexOf('.');
  const cut = point < 0 ? long.length : point + 1 + digits;
  const rest = long.slice(cut);
  if (!/^50*$/.test(rest)) return rounded;
  const truncated = digits === 0 ? long.slice(0, point) : long.slice(0, cut);
  const last = Number(truncated[truncated.length - 1]);
  return last % 2 === 0 ? truncated : rounded;
}

/** Python's str.rjust: pads on the left with spaces to `width` code points. */
export function padStart(text: string, width: number): string {
  const length = [...text].length;
  return length >= width ? text : ' '.repeat(width - length) + text;
}

/** Python's str.ljust: pads on the right with spaces to `width` code points. */
export function padEnd(text: string, width: number): string {
  const length = [...text].length;
  return length >= width ? text : text + ' '.repeat(width - length);
}
