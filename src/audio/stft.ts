import FFT from 'fft.js';

/**
 * A minimal librosa-compatible STFT / ISTFT for the phase vocoder (kept inside src/audio so the
 * audio module does not depend on the features module): periodic Hann window, win_length = n_fft,
 * center=True with zero ('constant') padding, power-of-two n_fft. Spectra are frame-major:
 * `re[t * bins + k]`, bins = n_fft / 2 + 1.
 */
export interface Spectrogram {
  re: Float64Array;
  im: Float64Array;
  frames: number;
  bins: number;
}

function hann(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
}

function checkSize(nFft: number, hop: number): void {
  if (!Number.isInteger(nFft) || nFft < 4 || (nFft & (nFft - 1)) !== 0) {
    throw new RangeError(`nFft must be a power of two >= 4, got ${nFft}`);
  }
  if (!Number.isInteger(hop) || hop < 1)
    throw new RangeError(`hopLength must be a positive integer, got ${hop}`);
}

/** librosa.stft(y, n_fft, hop_length, center=True, pad_mode='constant', window='hann'). */
export function stft(y: Float32Array, nFft = 2048, hop = nFft / 4): Spectrogram {
  checkSize(nFft, hop);
  const pad = nFft >> 1;
  const frames = 1 + Math.floor((y.length + 2 * pad - nFft) / hop);
  const bins = pad + 1;
  const window = hann(nFft);
  const fft = new FFT(nFft);
  const input = new Array<number>(nFft);
  const out = fft.createComplexArray() as number[];
  const re = new Float64Array(frames * bins);
  const im = new Float64Array(frames * bins);
  for (let t = 0; t < frames; t++) {
    const origin = t * hop - pad;
    for (let n = 0; n < nFft; n++) {
      const i = origin + n;
      input[n] = i >= 0 && i < y.length ? y[i] * window[n] : 0;
    }
    fft.realTransform(out, input);
    for (let k = 0; k < bins; k++) {
      re[t * bins + k] = out[2 * k];
      im[t * bins + k] = out[2 * k + 1];
    }
  }
  return { re, im, frames, bins };
}

/**
 * librosa.istft(D, hop_length, center=True, length): windowed overlap-add divided by the summed
 * squared window (where it is not ~0), then samples [n_fft/2, n_fft/2 + length), zero-padded.
 */
export function istft(spec: Spectrogram, hop: number, length: number): Float32Array {
  const nFft = 2 * (spec.bins - 1);
  checkSize(nFft, hop);
  const window = hann(nFft);
  const fft = new FFT(nFft);
  const total = nFft + hop * Math.max(0, spec.frames - 1);
  const y = new Float64Array(total);
  const norm = new Float64Array(total);
  const full = fft.createComplexArray() as number[];
  const time = fft.createComplexArray() as number[];
  for (let t = 0; t < spec.frames; t++) {
    for (let k = 0; k < spec.bins; k++) {
      full[2 * k] = spec.re[t * spec.bins + k];
      full[2 * k + 1] = spec.im[t * spec.bins + k];
    }
    for (let k = spec.bins; k < nFft; k++) {
      full[2 * k] = full[2 * (nFft - k)];
      full[2 * k + 1] = -full[2 * (nFft - k) + 1];
    }
    fft.inverseTransform(time, full);
    const origin = t * hop;
    for (let n = 0; n < nFft; n++) {
      y[origin + n] += time[2 * n] * window[n];
      norm[origin + n] += window[n] * window[n];
    }
  }
  const out = new Float32Array(length);
  const start = nFft >> 1;
  const tiny = 1.1754943508222875e-38;
  for (let i = 0; i < length && start + i < total; i++) {
    const w = norm[start + i];
    out[i] = w > tiny ? y[start + i] / w : y[start + i];
  }
  return out;
}
