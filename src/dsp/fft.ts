import FFT from 'fft.js';
import { EmovoxParameterError } from '../util/errors.js';

/**
 * Discrete Fourier transforms of any length, in float64. Power-of-two sizes use fft.js's
 * radix-4 transforms (its real-input transform computes only the non-redundant half); other
 * sizes use Bluestein's chirp-z algorithm on a power-of-two fft.js transform, so every length
 * costs O(n log n). Instances hold their scratch buffers: reuse one per size, never share one
 * between concurrent callers.
 */
export class RealFft {
  /** Transform length (samples in, `size / 2 + 1` complex bins out). */
  readonly size: number;
  private readonly pow2: FFT | null;
  private readonly out: Float64Array;
  private readonly bluestein: Bluestein | null;
  private full: Float64Array | null = null;
  private time: Float64Array | null = null;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new EmovoxParameterError('size', `FFT size must be a positive integer, got ${size} (RealFft)`);
    this.size = size;
    const isPow2 = size >= 4 && (size & (size - 1)) === 0;
    this.pow2 = isPow2 ? new FFT(size) : null;
    this.out = new Float64Array(2 * size);
    this.bluestein = isPow2 ? null : new Bluestein(size);
  }

  /**
   * Forward real DFT of `input` (length `size`), returned as an internal interleaved buffer:
   * bin k is `(out[2k], out[2k + 1])` for k = 0..size/2. Valid until the next call.
   */
  forwardInterleaved(input: Float64Array): Float64Array {
    const out = this.out;
    if (this.pow2 !== null) {
      this.pow2.realTransform(out, input);
      return out;
    }
    const nBins = (this.size >> 1) + 1;
    const re = new Float64Array(nBins);
    const im = new Float64Array(nBins);
    (this.bluestein as Bluestein).realForward(input, re, im, nBins);
    for (let k = 0; k < nBins; k++) {
      out[2 * k] = re[k];
      out[2 * k + 1] = im[k];
    }
    return out;
  }

  /**
   * Forward real DFT of `input` (length `size`): writes bins 0..size/2 into `re` and `im`
   * (each at least `floor(size / 2) + 1` long). Sign convention as numpy.fft.rfft.
   */
  forward(input: Float64Array, re: Float64Array, im: Float64Array): void {
    const nBins = (this.size >> 1) + 1;
    if (this.pow2 !== null) {
      const out = this.out;
      this.pow2.realTransform(out, input);
      for (let k = 0; k < nBins; k++) {
        re[k] = out[2 * k];
        im[k] = out[2 * k + 1];
      }
      return;
    }
    (this.bluestein as Bluestein).realForward(input, re, im, nBins);
  }

  /**
   * Inverse real DFT (numpy.fft.irfft scaling, 1/size): from bins 0..size/2 in `re` and `im`
   * (the rest of the spectrum is their conjugate mirror; the imaginary parts of bin 0 and, for
   * even sizes, bin size/2 are used as given, as fft.js does) into `out` (length `size`).
   */
  inverse(re: Float64Array, im: Float64Array, out: Float64Array): void {
    const n = this.size;
    const nBins = (n >> 1) + 1;
    this.full ??= new Float64Array(2 * n);
    this.time ??= new Float64Array(2 * n);
    const full = this.full;
    const time = this.time;
    for (let k = 0; k < nBins; k++) {
      full[2 * k] = re[k];
      full[2 * k + 1] = im[k];
    }
    for (let k = nBins; k < n; k++) {
      full[2 * k] = full[2 * (n - k)];
      full[2 * k + 1] = -full[2 * (n - k) + 1];
    }
    if (this.pow2 !== null) this.pow2.inverseTransform(time, full);
    else {
      // IDFT(x) = conj(DFT(conj(x))) / n; only the real part is kept
      for (let k = 0; k < n; k++) full[2 * k + 1] = -full[2 * k + 1];
      (this.bluestein as Bluestein).complexForward(full, time);
      for (let k = 0; k < n; k++) time[2 * k] /= n;
    }
    for (let i = 0; i < n; i++) out[i] = time[2 * i];
  }
}

const realFftCache = new Map<number, RealFft>();

/**
 * A cached {@link RealFft} for `size`. Every caller is synchronous and finishes with the
 * transform before returning, so one instance (and its scratch buffers) per size is shared.
 */
export function realFft(size: number): RealFft {
  let f = realFftCache.get(size);
  if (!f) {
    f = new RealFft(size);
    realFftCache.set(size, f);
  }
  return f;
}

/** Complex FFT of any length (forward and inverse, unnormalised forward, 1/n inverse). */
export class ComplexFft {
  readonly size: number;
  private readonly pow2: FFT | null;
  private readonly bluestein: Bluestein | null;
  private readonly tmp: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new EmovoxParameterError('size', `FFT size must be a positive integer, got ${size} (ComplexFft)`);
    this.size = size;
    const isPow2 = size >= 2 && (size & (size - 1)) === 0;
    this.pow2 = isPow2 ? new FFT(size) : null;
    this.bluestein = isPow2 ? null : new Bluestein(size);
    this.tmp = new Float64Array(2 * size);
  }

  /** Forward DFT of interleaved complex `input` into interleaved `out` (both length 2n). */
  forward(input: Float64Array, out: Float64Array): void {
    if (this.pow2 !== null) this.pow2.transform(out, input);
    else (this.bluestein as Bluestein).complexForward(input, out);
  }

  /** Inverse DFT (with the 1/n factor) of interleaved complex `input` into `out`. */
  inverse(input: Float64Array, out: Float64Array): void {
    const n = this.size;
    const tmp = this.tmp;
    // IDFT(x) = conj(DFT(conj(x))) / n
    for (let i = 0; i < n; i++) {
      tmp[2 * i] = input[2 * i];
      tmp[2 * i + 1] = -input[2 * i + 1];
    }
    this.forward(tmp, out);
    const inv = 1 / n;
    for (let i = 0; i < n; i++) {
      out[2 * i] *= inv;
      out[2 * i + 1] = -out[2 * i + 1] * inv;
    }
  }
}

/** Bluestein chirp-z DFT for lengths that are not powers of two. */
class Bluestein {
  private readonly n: number;
  private readonly m: number;
  private readonly fft: FFT;
  private readonly chirpRe: Float64Array;
  private readonly chirpIm: Float64Array;
  private readonly kernelFft: Float64Array;
  private readonly a: Float64Array;
  private readonly b: Float64Array;

  constructor(n: number) {
    this.n = n;
    let m = 2;
    while (m < 2 * n - 1) m *= 2;
    this.m = m;
    this.fft = new FFT(m);
    this.chirpRe = new Float64Array(n);
    this.chirpIm = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      // k*k mod 2n keeps the angle argument small and exact for large n.
      const kk = (k * k) % (2 * n);
      const angle = (Math.PI * kk) / n;
      this.chirpRe[k] = Math.cos(angle);
      this.chirpIm[k] = -Math.sin(angle);
    }
    const kernel = new Float64Array(2 * m);
    for (let k = 0; k < n; k++) {
      kernel[2 * k] = this.chirpRe[k];
      kernel[2 * k + 1] = -this.chirpIm[k];
      if (k > 0) {
        kernel[2 * (m - k)] = this.chirpRe[k];
        kernel[2 * (m - k) + 1] = -this.chirpIm[k];
      }
    }
    this.kernelFft = new Float64Array(2 * m);
    this.fft.transform(this.kernelFft, kernel);
    this.a = new Float64Array(2 * m);
    this.b = new Float64Array(2 * m);
  }

  private run(): void {
    // a holds x * chirp (zero-padded); convolve with the conjugate chirp via FFT.
    const { m, a, b, kernelFft } = this;
    this.fft.transform(b, a);
    for (let i = 0; i < m; i++) {
      const re = b[2 * i];
      const im = b[2 * i + 1];
      const kr = kernelFft[2 * i];
      const ki = kernelFft[2 * i + 1];
      a[2 * i] = re * kr - im * ki;
      a[2 * i + 1] = -(re * ki + im * kr); // conjugated for the inverse-by-forward trick
    }
    this.fft.transform(b, a);
    const inv = 1 / m;
    for (let i = 0; i < m; i++) {
      b[2 * i] *= inv;
      b[2 * i + 1] = -b[2 * i + 1] * inv;
    }
  }

  realForward(input: Float64Array, re: Float64Array, im: Float64Array, nBins: number): void {
    const { n, a, b, chirpRe, chirpIm } = this;
    a.fill(0);
    for (let k = 0; k < n; k++) {
      a[2 * k] = input[k] * chirpRe[k];
      a[2 * k + 1] = input[k] * chirpIm[k];
    }
    this.run();
    for (let k = 0; k < nBins; k++) {
      const br = b[2 * k];
      const bi = b[2 * k + 1];
      re[k] = br * chirpRe[k] - bi * chirpIm[k];
      im[k] = br * chirpIm[k] + bi * chirpRe[k];
    }
  }

  complexForward(input: Float64Array, out: Float64Array): void {
    const { n, a, b, chirpRe, chirpIm } = this;
    a.fill(0);
    for (let k = 0; k < n; k++) {
      const xr = input[2 * k];
      const xi = input[2 * k + 1];
      a[2 * k] = xr * chirpRe[k] - xi * chirpIm[k];
      a[2 * k + 1] = xr * chirpIm[k] + xi * chirpRe[k];
    }
    this.run();
    for (let k = 0; k < n; k++) {
      const br = b[2 * k];
      const bi = b[2 * k + 1];
      out[2 * k] = br * chirpRe[k] - bi * chirpIm[k];
      out[2 * k + 1] = br * chirpIm[k] + bi * chirpRe[k];
    }
  }
}
