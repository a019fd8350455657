/**
 * Small seeded pseudo-random generators for reproducible augmentation, shuffles and splits. Not cryptographic.
 *
 * - {@link mulberry32}: 32-bit state generator (Tommy Ettinger's mulberry32), uniform in [0, 1);
 *   period 2^32, passes gjrand/PractRand to moderate sizes: ample for choosing noise, offsets and masks.
 * - {@link deriveSeed}: splitmix32-style mixing of (seed, index) so that item `index` of an epoch
 *   gets an independent stream: augment(signal, seed, index) is a pure function.
 */

/** A seeded generator: `next()` uniform in [0, 1), `normal()` standard normal, `int(lo, hi)` inclusive. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (mean 0, standard deviation 1). */
  normal(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** A uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number;
}

/** Mixes 32-bit integers (splitmix32 finaliser). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** A seed for item `index` (and optional stream `salt`) derived from `seed`; any finite numbers. */
export function deriveSeed(seed: number, index = 0, salt = 0): number {
  const s = Math.floor(seed) >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  return mix32(
    mix32(mix32(s ^ 0x9e3779b9) ^ hi) + mix32((index >>> 0) + 0x6a09e667) + Math.imul(salt + 1, 0x85ebca6b),
  );
}

/** mulberry32 seeded with `seed` (an integer; other numbers are hashed with {@link deriveSeed}). */
export function mulberry32(seed: number): Random {
  let state = Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32 ? seed >>> 0 : deriveSeed(seed);
  let spare: number | null = null;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    normal() {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      // Box-Muller; 1 - u keeps the log argument in (0, 1].
      const u = 1 - next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
  };
}

/** Fisher-Yates shuffle of a copy of `values`, drawing from `random`. */
export function shuffled<T>(values: readonly T[], random: Random): T[] {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
