import { EmovoxParameterError } from '../util/errors.js';

/** A named window (periodic, as scipy.signal.get_window(..., fftbins=True)) or explicit coefficients. */
export type WindowSpec = 'hann' | 'hamming' | 'ones' | Float32Array | Float64Array | readonly number[];

const windowCache = new Map<string, Float64Array>();

/**
 * The analysis window of length `winLength`, zero-padded (centred) to `nFft` samples, as
 * librosa does: `pad_center(get_window(window, win_length, fftbins=True), size=n_fft)`.
 * Named windows are cached: do not mutate the returned array.
 *
 * @param window 'hann' (`0.5 - 0.5 cos(2 pi n / winLength)`), 'hamming' (0.54 / 0.46), 'ones',
 *   or `winLength` explicit coefficients.
 * @param winLength window length in samples (<= nFft).
 * @param nFft frame length in samples.
 * @returns nFft coefficients, zero outside the centred window.
 */
export function fftWindow(window: WindowSpec, winLength: number, nFft: number): Float64Array {
  const key = typeof window === 'string' ? `${window}:${winLength}:${nFft}` : null;
  if (key !== null) {
    const hit = windowCache.get(key);
    if (hit) return hit;
  }
  const base = new Float64Array(winLength);
  if (typeof window === 'string') {
    for (let n = 0; n < winLength; n++) {
      const c = Math.cos((2 * Math.PI * n) / winLength);
      if (window === 'hann') base[n] = 0.5 - 0.5 * c;
      else if (window === 'hamming') base[n] = 0.54 - 0.46 * c;
      else if (window === 'ones') base[n] = 1;
      else
        throw new EmovoxParameterError(
          'window',
          `unknown window '${String(window)}' (use hann, hamming, ones or coefficients)`,
        );
    }
  } else {
    if (window.length !== winLength) {
      throw new EmovoxParameterError(
        'window',
        `has ${window.length} coefficients, expected winLength ${winLength}`,
      );
    }
    for (let n = 0; n < winLength; n++) base[n] = window[n];
  }
  const out = new Float64Array(nFft);
  const lpad = Math.floor((nFft - winLength) / 2);
  out.set(base, lpad);
  if (key !== null) windowCache.set(key, out);
  return out;
}

/**
 * The (a0, a1) of `window` when it is the periodic cosine window `a0 - a1 cos(2 pi n / nFft)`
 * over the whole frame (Hann, Hamming with winLength = nFft), else null. Such a window can be
 * applied after the FFT as a 3-tap convolution of the spectrum (see windowedPower in stft.ts).
 */
export function cosineWindow(window: WindowSpec, winLength: number, nFft: number): [number, number] | null {
  if (winLength !== nFft) return null;
  if (window === 'hann') return [0.5, 0.5];
  if (window === 'hamming') return [0.54, 0.46];
  return null;
}
