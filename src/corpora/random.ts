/**
 * Small seeded PRNG (mulberry32): fast, 32-bit state, plenty for shuffling corpus lists
 * reproducibly. Not for cryptography.
 *
 * @param seed any integer (default 0); the same seed always gives the same sequence
 * @returns a function returning uniform floats in [0, 1)
 */
export function seededRandom(seed = 0): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle of a copy of `values` with the given random source. */
export function shuffled<T>(values: readonly T[], random: () => number): T[] {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
